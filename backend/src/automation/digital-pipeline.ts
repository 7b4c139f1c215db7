import express, { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BackgroundTasks } from '../background-tasks';
import type { Clock } from '../clock';
import { badRequest, isAppError } from '../http/app-error';
import { parse } from '../http/parse';
import type { IdGenerator } from '../ids';
import type { KommoAccess } from '../kommo/kommo-access';
import type { KommoApi } from '../kommo/kommo-api';
import type { LicenceService } from '../licensing/licence-service';
import type { Db, Queryable } from '../store/db';
import type { ChatService } from '../whatsapp/chat-service';
import type { Pacer } from '../whatsapp/pacer';
import { normalisePhone } from '../whatsapp/phone';

/** Kommo's digital-pipeline call (JSON, or the form encoding Kommo also uses): a lead entered a stage. */
const DpHook = z.object({
  event: z.object({
    type_code: z.string(),
    data: z.object({ id: z.coerce.number().int().positive(), status_id: z.coerce.number().int().positive(), pipeline_id: z.coerce.number().int().optional() }),
    time: z.coerce.number().int().positive(),
  }),
  action: z.object({ settings: z.object({ widget: z.object({ settings: z.record(z.string(), z.unknown()).default({}) }) }) }),
  account_id: z.coerce.number().int().positive(),
  subdomain: z.string().optional(),
});

/** The action's settings, as the admin fills them in Kommo's digital-pipeline screen (manifest `dp.settings`). */
const DpSettings = z.object({
  template: z.string().trim().regex(/^[a-z0-9_]{1,512}$/, 'must be an approved template name'),
  language: z.string().trim().regex(/^[a-z]{2}(_[A-Z]{2})?$/).default('en_US'),
  /** Parameters separated by `|`; {{contact.name}}, {{contact.first_name}}, {{lead.name}} are filled in. */
  parameters: z.string().max(4000).default(''),
  /** The number to send from: its display number or phone-number id; the first connected one when empty. */
  number: z.string().trim().max(40).default(''),
});

/** A call this far from its event time is refused: old or forged events do not send. */
const MAX_AGE_S = 3600;

/**
 * The Kommo digital-pipeline action (SPEC §7): when a lead enters the configured stage, the
 * configured template goes to the lead's main contact, once per (lead, stage entry) whatever Kommo
 * repeats, and the outcome is noted on the lead. The call is answered at once; the work runs from a
 * durable row. Kommo does not sign these calls, so we trust nothing in them but ids: the lead is read
 * back from Kommo with our token and must really be in that stage, the contact and phone come from
 * Kommo, and the template must be approved for the account.
 */
export function createDigitalPipeline(deps: { db: Db; clock: Clock; ids: IdGenerator; logger: Logger; kommo: KommoApi; access: KommoAccess; kommoPacer: Pacer; chat: ChatService; licences: LicenceService; tasks: BackgroundTasks }) {
  const { db, clock, logger } = deps;

  async function note(q: Queryable, accountId: string, leadId: number, text: string) {
    await q.query(`insert into kommo_lead_outbox (id, account_id, lead_id, kind, text, next_attempt_at) values ($1, $2, $3, 'note', $4, $5)`, [deps.ids(), accountId, leadId, text, clock.now()]);
  }

  async function finish(run: { account_id: string; lead_id: string; status_id: string; entered_at: string }, outcome: 'sent' | 'failed' | 'skipped' | 'opted_out', detail: string) {
    await db.transaction(async (tx) => {
      await tx.query('update dp_runs set outcome = $5, detail = $6 where account_id = $1 and lead_id = $2 and status_id = $3 and entered_at = $4', [
        run.account_id,
        run.lead_id,
        run.status_id,
        run.entered_at,
        outcome,
        detail,
      ]);
      if (outcome !== 'skipped') await note(tx, run.account_id, Number(run.lead_id), detail);
    });
    logger.info({ leadId: run.lead_id, outcome, detail }, 'digital-pipeline action done');
  }

  async function process(run: { account_id: string; lead_id: string; status_id: string; entered_at: string; settings: unknown }) {
    try {
      await deps.licences.require(run.account_id, 'automation');
      const settings = DpSettings.safeParse(run.settings);
      if (!settings.success) return await finish(run, 'failed', `Wabridge digital-pipeline action is not set up right: ${settings.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}.`);
      const { host, accessToken } = await deps.access.accessToken(run.account_id);
      const [lead] = await deps.kommoPacer.run(run.account_id, () => deps.kommo.getLeads(host, accessToken, [Number(run.lead_id)]));
      if (!lead || lead.statusId !== Number(run.status_id)) return await finish(run, 'skipped', 'the lead is not in that stage (any more)');
      const mainContactId = lead.contactIds[0];
      const [contact] = mainContactId ? await deps.kommoPacer.run(run.account_id, () => deps.kommo.getContacts(host, accessToken, [mainContactId])) : [];
      const raw = contact?.phones[0];
      const [account] = await db.query<{ country: string | null }>('select country from accounts where id = $1', [run.account_id]);
      const phone = raw ? normalisePhone(raw, account?.country ?? undefined) : null;
      if (!contact || !phone || !('waId' in phone)) return await finish(run, 'failed', `WhatsApp template “${settings.data.template}” not sent: the lead's main contact has no valid phone.`);
      const numbers = await db.query<{ id: string; display_phone_number: string; phone_number_id: string }>('select id, display_phone_number, phone_number_id from whatsapp_numbers where account_id = $1 order by connected_at', [run.account_id]);
      const wanted = settings.data.number.replace(/\D/g, '');
      const number = wanted ? numbers.find((n) => n.phone_number_id === wanted || n.display_phone_number.replace(/\D/g, '') === wanted) : numbers[0];
      if (!number) return await finish(run, 'failed', `WhatsApp template “${settings.data.template}” not sent: no connected WhatsApp number${wanted ? ` matches ${settings.data.number}` : ''}.`);
      const fill = (text: string) =>
        text
          .replace(/\{\{\s*contact\.name\s*\}\}/g, contact.name)
          .replace(/\{\{\s*contact\.first_name\s*\}\}/g, contact.firstName || contact.name.split(/\s+/)[0] || '')
          .replace(/\{\{\s*lead\.name\s*\}\}/g, lead.name)
          .trim();
      const parameters = settings.data.parameters ? settings.data.parameters.split('|').map(fill) : [];
      const conversation = await deps.chat.open(run.account_id, { numberId: number.id, phone: `+${phone.waId}` });
      try {
        // Sent by the automation, not by a person: no agent's name goes on it.
        await deps.chat.send(run.account_id, null, conversation.id, { type: 'template', name: settings.data.template, language: settings.data.language, bodyParameters: parameters }, { refuseOptedOut: true });
      } catch (err) {
        if (!isAppError(err) || err.code !== 'opted_out') throw err;
        return await finish(run, 'opted_out', `WhatsApp template “${settings.data.template}” not sent to ${contact.name} (+${phone.waId}) by the digital pipeline: the customer opted out of messages from this business.`);
      }
      await finish(run, 'sent', `WhatsApp template “${settings.data.template}” sent to ${contact.name} (+${phone.waId}) by the digital pipeline${parameters.length ? `: ${parameters.join(', ')}` : ''}.`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await finish(run, 'failed', `WhatsApp template not sent by the digital pipeline: ${message}`).catch((e) => logger.error({ err: e }, 'digital-pipeline outcome not stored'));
    }
  }

  const service = {
    /** Records the stage entry once; a repeat of the same entry changes nothing. */
    async receive(body: unknown): Promise<boolean> {
      const hook = parse(DpHook, body, 'body');
      if (hook.event.type_code !== 'lead_appeared_in_status') return false;
      if (Math.abs(clock.now().getTime() / 1000 - hook.event.time) > MAX_AGE_S) throw badRequest('stale_event', 'This digital-pipeline event is too old (or from the future) to act on.');
      const [account] = await db.query<{ id: string }>(`select id from accounts where kommo_account_id = $1 and status = 'active'`, [hook.account_id]);
      if (!account) throw badRequest('unknown_account', 'Wabridge is not installed in this Kommo account.');
      const stored = await db.query(
        `insert into dp_runs (account_id, lead_id, status_id, entered_at, created_at, settings) values ($1, $2, $3, $4, $5, $6) on conflict do nothing returning lead_id`,
        [account.id, hook.event.data.id, hook.event.data.status_id, hook.event.time, clock.now(), JSON.stringify(hook.action.settings.widget.settings)],
      );
      if (!stored.length) return false;
      deps.tasks.drain('digital pipeline', () => service.processPending());
      return true;
    },

    /** Runs stage entries not yet acted on (right after they arrive, and after a restart). */
    async processPending(): Promise<number> {
      const due = await db.query<{ account_id: string; lead_id: string; status_id: string; entered_at: string; settings: unknown }>(
        `update dp_runs set outcome = 'working' where (account_id, lead_id, status_id, entered_at) in
           (select account_id, lead_id, status_id, entered_at from dp_runs where outcome is null or (outcome = 'working' and created_at < $1) limit 20 for update skip locked)
         returning account_id, lead_id, status_id, entered_at, settings`,
        [new Date(clock.now().getTime() - 10 * 60_000)],
      );
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
    await dp.receive(req.body);
    res.json({ ok: true });
  });
  return router;
}
