import type { Clock } from '../clock';
import type { LicenceService } from '../licensing/licence-service';
import type { IdGenerator } from '../ids';
import { enqueueLeadNote } from '../kommo/timeline-store';
import { publish, type Stamps } from '../live/live-events';
import { readSettings } from '../settings/settings-store';
import type { Queryable } from '../store/db';
import { chargeReturned } from './broadcast-allowance';
import { isRetryableFailure, renderBody, retryNotBefore } from './broadcast-rules';
import {
  attributeReply,
  broadcastNameAndBody,
  broadcastsUsingTemplate,
  findTemplateOfStatus,
  markPaused,
  markSentRecipientFailed,
  noteAcceptedWamid,
  setTemplateStatus,
} from './broadcast-store';

/** The prefix of our `biz_opaque_callback_data`: status webhooks carrying it belong to a broadcast recipient. */
export const CALLBACK_PREFIX = 'wb:r:';
/** A customer's message this soon after a broadcast message counts as a reply to it (SPEC §6). */
const ATTRIBUTION_MS = 72 * 3600_000;

/** Pauses a running or scheduled broadcast with a reason the widget shows. */
export async function pauseBroadcast(q: Queryable, stamps: Stamps, b: { id: string; account_id: string }, reason: string, detail: string): Promise<boolean> {
  const at = stamps.clock.now();
  const paused = await markPaused(q, b.id, reason, detail, at);
  if (paused) await publish(q, { accountId: b.account_id, type: 'broadcast.updated', broadcastId: b.id }, stamps);
  return paused;
}

/** What the webhook inbox tells broadcasts: accepted sends, late failures, template status, and replies. */
export function broadcastWebhookHooks(deps: { clock: Clock; ids: IdGenerator; licences: LicenceService }) {
  const { clock } = deps;
  return {
    async onAccepted(tx: Queryable, callbackData: string, wamid: string) {
      if (!callbackData.startsWith(CALLBACK_PREFIX)) return;
      const noted = await noteAcceptedWamid(tx, callbackData.slice(CALLBACK_PREFIX.length), wamid);
      if (!noted?.revived) return;
      const b = { id: noted.broadcastId, account_id: noted.accountId };
      // Cancelled while its send was on its way, it gave its message back: the message went, so it counts.
      if (noted.was === 'cancelled') await chargeReturned(tx, deps.licences, b, noted.settledAt ?? clock.now());
      await publish(tx, { accountId: b.account_id, type: 'broadcast.updated', broadcastId: b.id }, deps);
    },

    async onFailed(tx: Queryable, messageId: string, code: number, title: string) {
      const rows = await markSentRecipientFailed(tx, messageId, {
        code,
        title: title || 'Failed',
        retryable: isRetryableFailure(code),
        at: clock.now(),
        retryAt: retryNotBefore(code, clock.now()),
      });
      for (const r of rows) await publish(tx, { accountId: r.account_id, type: 'broadcast.updated', broadcastId: r.broadcast_id }, deps);
    },

    /**
     * Meta changed a template's status. The webhook names it by `message_template_id` and writes its
     * language "en-US" where the template list has "en_US": matched by id, else by name and language
     * with either separator.
     */
    async onTemplateStatus(tx: Queryable, t: { wabaId: string; templateId?: string; name: string; language: string; event: string; reason?: string }) {
      const known = await findTemplateOfStatus(tx, t.wabaId, t.templateId ?? null, t.name, t.language);
      const name = known?.name ?? t.name;
      const language = known?.language ?? t.language;
      await setTemplateStatus(tx, t.wabaId, name, language, t.event);
      if (t.event === 'APPROVED') return;
      const affected = await broadcastsUsingTemplate(tx, t.wabaId, name, language);
      const why = t.reason && t.reason !== 'NONE' ? ` (${t.reason})` : '';
      for (const b of affected)
        await pauseBroadcast(
          tx,
          deps,
          b,
          'template_paused',
          `Meta marked the template “${name}” ${t.event.toLowerCase()}${why}. Resume once it is approved again.`,
        );
    },

    /** A reply within 72 hours of a broadcast message: attributed, noted on the lead, and (if the admin wants) a task for its owner. */
    async onInbound(tx: Queryable, m: { accountId: string; waId: string; at: Date; type: string; text: string }) {
      const r = await attributeReply(tx, m.accountId, m.waId, new Date(m.at.getTime() - ATTRIBUTION_MS), m.at);
      if (!r) return;
      await publish(tx, { accountId: m.accountId, type: 'broadcast.updated', broadcastId: r.broadcast_id }, deps);
      if (!r.kommo_lead_id) return;
      const b = await broadcastNameAndBody(tx, r.broadcast_id);
      const said = m.text ? `“${m.text.slice(0, 500)}”` : `[${m.type}]`;
      const note = `WhatsApp reply to the broadcast “${b?.name ?? ''}” from ${r.name ?? `+${m.waId}`}: ${said}\nThey had received: ${renderBody(b?.template_body ?? '', r.parameters).slice(0, 500)}`;
      await enqueueLeadNote(tx, { id: deps.ids(), accountId: m.accountId, leadId: r.kommo_lead_id, kind: 'note', text: note, at: m.at });
      if ((await readSettings(tx, m.accountId)).replyTasks && r.lead_owner_id) {
        const text = `Answer ${r.name ?? `+${m.waId}`}: they replied on WhatsApp to the broadcast “${b?.name ?? ''}”.`;
        await enqueueLeadNote(tx, {
          id: deps.ids(),
          accountId: m.accountId,
          leadId: r.kommo_lead_id,
          kind: 'task',
          text,
          responsibleUserId: r.lead_owner_id,
          at: m.at,
        });
      }
    },
  };
}
