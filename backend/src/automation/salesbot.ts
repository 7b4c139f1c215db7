import express, { Router } from 'express';
import { errors, jwtVerify } from 'jose';
import type { Logger } from 'pino';
import type { BackgroundTasks } from '../background-tasks';
import type { Clock } from '../clock';
import { badRequest, unauthorized } from '../http/app-error';
import { parse } from '../http/parse';
import type { IdGenerator } from '../ids';
import type { KommoAccess } from '../kommo/kommo-access';
import type { KommoApi } from '../kommo/kommo-api';
import type { LicenceService } from '../licensing/licence-service';
import type { Db } from '../store/db';
import type { ChatService } from '../whatsapp/chat-service';
import type { Pacer } from '../whatsapp/pacer';
import type { AutomationStore } from './automation-store';
import { continueTarget, parametersOf, SalesbotCall, SalesbotClaims, tokenIdOf, type SalesbotOutcome } from './salesbot-rules';
import { salesbotStore as store, type SalesbotRun } from './salesbot-store';
import { sendTemplateToContact } from './template-send';

/**
 * The Salesbot step "Send a WhatsApp template" (SPEC §4.5, §5; docs/decisions/027-salesbot-step.md).
 * Kommo's `widget_request` brings a token signed with our integration's secret, the step's data
 * (template, language, parameters with the bot's variables filled in, the contact and lead ids) and
 * the point to continue the bot at. We check the token, record the step once per continue point and
 * answer at once; the template goes in the background, and the bot is continued through Kommo's
 * continue method with `{ data: { status: sent | failed | opted_out } }`, which the step's exits test.
 * A continue Kommo refuses is tried again; the send never is.
 */
/** A step taken to send is another drain's again only when this ran out: its process died mid-send. */
const LEASE_MS = 10 * 60_000;

export function createSalesbot(deps: {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  clientId: string;
  clientSecret: string;
  kommo: KommoApi;
  access: KommoAccess;
  kommoPacer: Pacer;
  chat: ChatService;
  licences: LicenceService;
  tasks: BackgroundTasks;
  /** The automations' store: the account's country and numbers, as the digital pipeline reads them. */
  automations: Pick<AutomationStore, 'country' | 'numbers'>;
}) {
  const { db, clock, logger } = deps;
  const key = new TextEncoder().encode(deps.clientSecret);

  /** The token's claims, when Kommo signed it for our integration and it has not expired. */
  async function verify(token: string) {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'], currentDate: clock.now(), clockTolerance: 30, requiredClaims: ['exp'] }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw unauthorized('token_expired', 'The Salesbot request token has expired.');
      throw unauthorized('invalid_token', 'The Salesbot request token is not valid.');
    }
    const claims = SalesbotClaims.safeParse(payload);
    if (!claims.success) throw unauthorized('invalid_token', 'The Salesbot request token lacks the claims Wabridge needs.');
    if (claims.data.client_uuid !== deps.clientId) throw unauthorized('wrong_client', 'The Salesbot request token was not issued for this integration.');
    return { ...claims.data, tokenId: tokenIdOf(token, claims.data) };
  }

  async function contactOf(run: SalesbotRun, host: string, accessToken: string) {
    let contactId = run.contact_id ? Number(run.contact_id) : undefined;
    if (!contactId && run.lead_id) {
      const [lead] = await deps.kommoPacer.run(run.account_id, () => deps.kommo.getLeads(host, accessToken, [Number(run.lead_id)]));
      contactId = lead?.contactIds[0];
    }
    if (!contactId) return undefined;
    const [contact] = await deps.kommoPacer.run(run.account_id, () => deps.kommo.getContacts(host, accessToken, [contactId]));
    return contact;
  }

  /** Sends the step's template; the outcome and the sentence that says it. */
  async function send(run: SalesbotRun): Promise<{ outcome: SalesbotOutcome; detail: string }> {
    const template = run.template;
    try {
      await deps.licences.require(run.account_id, 'automation');
      const { host, accessToken } = await deps.access.accessToken(run.account_id);
      const contact = await contactOf(run, host, accessToken);
      const result = await sendTemplateToContact(
        {
          chat: deps.chat,
          country: () => deps.automations.country(run.account_id),
          numbers: () => deps.automations.numbers(run.account_id),
        },
        run.account_id,
        contact,
        {
          name: template,
          language: run.language,
          numberId: run.number_id,
          parameters: () => (typeof run.parameters === 'string' ? (JSON.parse(run.parameters) as string[]) : run.parameters),
        },
      );
      switch (result.outcome) {
        case 'no_phone':
          return { outcome: 'failed', detail: `WhatsApp template “${template}” not sent by Salesbot: the contact has no valid phone.` };
        case 'no_number':
          return {
            outcome: 'failed',
            detail: `WhatsApp template “${template}” not sent by Salesbot: ${run.number_id ? 'the number the step names is not connected' : 'no WhatsApp number is connected'}.`,
          };
        case 'opted_out':
          return {
            outcome: 'opted_out',
            detail: `WhatsApp template “${template}” not sent by Salesbot to ${result.contact.name}: the customer opted out of messages from this business.`,
          };
        case 'sent':
          return { outcome: 'sent', detail: `WhatsApp template “${template}” sent by Salesbot to ${result.contact.name} (+${result.waId}).` };
      }
    } catch (err) {
      return { outcome: 'failed', detail: `WhatsApp template “${template}” not sent by Salesbot: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  async function process(run: SalesbotRun) {
    let outcome = run.outcome as SalesbotOutcome | 'working';
    if (outcome === 'working') {
      const sent = await send(run);
      outcome = sent.outcome;
      await store.finish(db, run.id, sent.outcome, sent.detail);
      logger.info({ botId: run.bot_id, outcome, detail: sent.detail }, 'salesbot step done');
    }
    try {
      const { host, accessToken } = await deps.access.accessToken(run.account_id);
      await deps.kommoPacer.run(run.account_id, () =>
        deps.kommo.continueSalesbot(host, accessToken, Number(run.bot_id), run.continue_id, { data: { status: outcome } }),
      );
      await store.continued(db, run.id, clock.now());
    } catch (err) {
      // Kept: a later round continues the bot (the template is not sent again).
      logger.warn({ err, botId: run.bot_id, attempts: run.attempts }, 'salesbot continue failed');
      await store.continueFailed(db, clock, run.id, err instanceof Error ? err.message : String(err));
    }
  }

  const service = {
    /** Checks and records Kommo's `widget_request`; the send and the continue run in the background. */
    async receive(body: unknown): Promise<void> {
      const call = parse(SalesbotCall, body, 'body');
      const claims = await verify(call.token);
      const account = await store.account(db, claims.account_id);
      if (!account) throw unauthorized('unknown_account', 'No active Wabridge account for this Kommo account.');
      const target = continueTarget(call.return_url);
      if (!target)
        throw badRequest('invalid_request', 'The request body is not valid: body.return_url.', [
          { path: 'body.return_url', message: "is not Kommo's Salesbot continue address" },
        ]);
      const { data } = call;
      const opened = await store.open(db, {
        id: deps.ids(),
        accountId: account.id,
        ...target,
        leadId: typeof data.lead_id === 'number' ? data.lead_id : null,
        contactId: typeof data.contact_id === 'number' ? data.contact_id : null,
        template: data.template,
        language: data.language,
        parameters: parametersOf(data.parameters),
        numberId: data.number_id || null,
        tokenId: claims.tokenId,
        at: clock.now(),
      });
      // A token opens one step: Kommo's repeat of the same request is answered as the first was; the token sent for another step is refused.
      if (opened === 'token_used') throw unauthorized('token_replayed', 'The Salesbot request token was already used for another step.');
      if (opened === 'opened') service.kick();
    },

    /** Asks for the queue's drain (one per instance at a time). */
    kick: () => deps.tasks.drain('salesbot_runs', () => service.processPending()),

    /** Steps not yet sent or whose bot is not yet continued (right after they arrive, and on the timer). */
    async processPending(): Promise<number> {
      const due = await store.claimPending(db, clock, 20, LEASE_MS);
      for (const run of due) await process(run);
      return due.length;
    },
  };
  return service;
}
export type Salesbot = ReturnType<typeof createSalesbot>;

/** `POST /kommo/salesbot`: Kommo's `widget_request`, answered at once (Kommo waits only briefly). */
export function salesbotRoutes(salesbot: Salesbot): Router {
  const router = Router();
  router.post('/salesbot', express.urlencoded({ extended: true, limit: '64kb' }), async (req, res) => {
    await salesbot.receive(req.body);
    res.json({ ok: true });
  });
  return router;
}
