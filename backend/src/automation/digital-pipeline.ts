import express, { Router } from 'express';
import type { Logger } from 'pino';
import type { BackgroundTasks } from '../background-tasks';
import type { Clock } from '../clock';
import { AppError } from '../http/app-error';
import { parse } from '../http/parse';
import type { IdGenerator } from '../ids';
import type { KommoAccess } from '../kommo/kommo-access';
import type { KommoApi } from '../kommo/kommo-api';
import { enqueueLeadNote } from '../kommo/timeline-store';
import type { LicenceService } from '../licensing/licence-service';
import { createKeyRateLimiter } from '../public-api/api-keys';
import type { ChatService } from '../whatsapp/chat-service';
import type { Pacer } from '../whatsapp/pacer';
import { DpCall, fillParameters, namedAutomation } from './automation-rules';
import type { AutomationStore, DpRun, RunOutcome } from './automation-store';
import { sendTemplateToContact } from './template-send';

/**
 * Calls accepted per Kommo account (only calls naming one of its automations count, so nobody
 * without an automation id can spend an account's allowance), and calls naming none per source
 * address. A stage Kommo fills in bulk (hundreds of leads moved at once) fits in the burst.
 */
export const DP_RATE = { perAccount: { perSecond: 10, burst: 500 }, perAddress: { perSecond: 2, burst: 60 } };

/** The one answer to every well-formed call, whatever it named: nothing tells a caller what exists. */
export const DP_ANSWER = { ok: true } as const;

/**
 * The Kommo digital-pipeline action (SPEC §7): when a lead enters a stage with our action, Kommo
 * calls us with the action's only setting, the automation id. The automation (made by the admin in
 * the widget and stored here) says what to send: its template goes to the lead's main contact once
 * per (lead, stage entry) whatever the number of calls or the times they claim, and the outcome is
 * noted on the lead. The call is answered at once; the work runs from a durable row. Kommo does not
 * sign these calls: we trust nothing in them but ids, the lead is read back from Kommo with our token
 * and must really be in that stage, and the contact and phone come from Kommo.
 * See docs/decisions/017-digital-pipeline.md.
 */
export function createDigitalPipeline(deps: {
  store: AutomationStore;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  kommo: KommoApi;
  access: KommoAccess;
  kommoPacer: Pacer;
  chat: ChatService;
  licences: LicenceService;
  tasks: BackgroundTasks;
  rate?: typeof DP_RATE;
}) {
  const { store, clock, logger } = deps;
  const rate = deps.rate ?? DP_RATE;
  const now = () => clock.now().getTime();
  const perAccount = createKeyRateLimiter({ ...rate.perAccount, now });
  const perAddress = createKeyRateLimiter({ ...rate.perAddress, now });

  async function finish(run: DpRun, outcome: RunOutcome, detail: string, left = false) {
    await store.transaction(async (tx) => {
      await store.finish(tx, run.id, outcome, detail, left ? clock.now() : null);
      if (outcome !== 'skipped') {
        await enqueueLeadNote(tx, { id: deps.ids(), accountId: run.account_id, leadId: Number(run.lead_id), kind: 'note', text: detail, at: clock.now() });
      }
    });
    logger.info({ leadId: run.lead_id, automationId: run.automation_id, outcome, detail }, 'digital-pipeline action done');
  }

  async function process(run: DpRun) {
    try {
      await deps.licences.require(run.account_id, 'automation');
      const automation = await store.automation(run.automation_id);
      if (!automation) return; // deleted meanwhile: its runs went with it
      const { host, accessToken } = await deps.access.accessToken(run.account_id);
      const [lead] = await deps.kommoPacer.run(run.account_id, () => deps.kommo.getLeads(host, accessToken, [Number(run.lead_id)]));
      // Not in that stage (any more, or never): this entry is over and nothing is sent.
      if (!lead || lead.statusId !== Number(run.status_id)) return await finish(run, 'skipped', 'the lead is not in that stage', true);
      await store.closeOtherStages(run.account_id, lead.id, lead.statusId, clock.now());
      const template = automation.template;
      const mainContactId = lead.contactIds[0];
      const [contact] = mainContactId ? await deps.kommoPacer.run(run.account_id, () => deps.kommo.getContacts(host, accessToken, [mainContactId])) : [];
      const result = await sendTemplateToContact(
        { chat: deps.chat, country: () => store.country(run.account_id), numbers: () => store.numbers(run.account_id) },
        run.account_id,
        contact,
        {
          name: template,
          language: automation.language,
          numberId: automation.numberId,
          parameters: (c) => fillParameters(automation.parameters, { contactName: c.name, contactFirstName: c.firstName, leadName: lead.name }),
        },
      );
      switch (result.outcome) {
        case 'no_phone':
          return await finish(run, 'failed', `WhatsApp template “${template}” not sent: the lead's main contact has no valid phone.`);
        case 'no_number':
          return await finish(
            run,
            'failed',
            `WhatsApp template “${template}” not sent: ${automation.numberId ? `the number of automation “${automation.name}” is no longer connected` : 'no WhatsApp number is connected'}.`,
          );
        case 'opted_out':
          return await finish(
            run,
            'opted_out',
            `WhatsApp template “${template}” not sent to ${result.contact.name} (+${result.waId}) by the digital pipeline: the customer opted out of messages from this business.`,
          );
        case 'sent':
          return await finish(
            run,
            'sent',
            `WhatsApp template “${template}” sent to ${result.contact.name} (+${result.waId}) by the digital pipeline${result.parameters.length ? `: ${result.parameters.join(', ')}` : ''}.`,
          );
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await finish(run, 'failed', `WhatsApp template not sent by the digital pipeline: ${message}`).catch((e) =>
        logger.error({ err: e }, 'digital-pipeline outcome not stored'),
      );
    }
  }

  const service = {
    /**
     * Records the stage entry a call reports, when it names an automation of the account it names;
     * a repeat of an entry still open changes nothing. Every case answers the same; only a caller
     * over its rate is refused (429), and a refused call changes nothing.
     */
    async receive(body: unknown, source: string): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
      const call = parse(DpCall, body, 'body');
      const automationId = namedAutomation(call);
      const automation = automationId ? await store.forKommoCall(call.account_id, automationId) : undefined;
      const allowed = automation ? perAccount.take(automation.accountId) : perAddress.take(source);
      if (!allowed.ok) return allowed;
      if (!automation || call.event.type_code !== 'lead_appeared_in_status') return { ok: true };
      const opened = await store.openEntry({
        id: deps.ids(),
        accountId: automation.accountId,
        automationId: automation.id,
        leadId: call.event.data.id,
        statusId: call.event.data.status_id,
        at: clock.now(),
      });
      if (opened) deps.tasks.drain('dp_runs', () => service.processPending());
      return { ok: true };
    },

    /** Runs stage entries not yet acted on (right after they arrive, and after a restart). */
    async processPending(): Promise<number> {
      // Ten minutes is far more than an entry's Kommo reads and send take: a lease that ran out is a crashed process's.
      const due = await store.claimPending(clock, 20, 10 * 60_000);
      for (const run of due) await process(run);
      return due.length;
    },
  };
  return service;
}
export type DigitalPipeline = ReturnType<typeof createDigitalPipeline>;

/** `POST /kommo/dp`: answered at once (Kommo expects a prompt answer); the send runs in the background. */
export function digitalPipelineRoutes(dp: DigitalPipeline): Router {
  const router = Router();
  router.post('/dp', express.urlencoded({ extended: true, limit: '64kb' }), async (req, res) => {
    const received = await dp.receive(req.body, req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (!received.ok) {
      res.setHeader('Retry-After', String(received.retryAfterSeconds));
      throw new AppError('rate_limited', `Too many digital-pipeline calls; retry in ${received.retryAfterSeconds} s.`, 429);
    }
    res.json(DP_ANSWER);
  });
  return router;
}
