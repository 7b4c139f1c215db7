import type { Logger } from 'pino';
import { DAY_MS, type Clock } from '../clock';
import type { IdGenerator } from '../ids';
import type { Db, Queryable } from '../store/db';
import { durableQueue, errorText } from '../store/durable-queue';
import { enqueueEvent, enqueueNote } from '../kommo/timeline-store';
import { enqueueStatus } from '../kommo-channel/channel-store';
import { publish, type Stamps } from '../live/live-events';
import { MetaWebhookBody, type MetaMessage, type MetaValue } from '../../../contract/meta-webhook';
import { ensureConversation } from './conversation-store';
import { messageText } from './message-text';
import { isStopWord, UNSUBSCRIBE_PAYLOAD } from './message-status';
import {
  advanceStatus,
  advanceStatuses,
  clearOptOut,
  conversationOfUser,
  deleteEarlyStatusesOf,
  deleteInboxBodies,
  earlyStatusesOf,
  followNewNumber,
  forgetEarlyStatusesBefore,
  givePhoneToUserConversation,
  insertInboundMessage,
  keepEarlyStatuses,
  markInboxMalformed,
  markOptedOut,
  noteCustomer,
  noteInboundAt,
  numberOfPhoneNumberId,
  setReaction,
  wamidsWithEarlyStatuses,
  type StatusChange,
  type StatusIn as StoredStatus,
} from './inbox-store';

/**
 * Acts on stored webhook bodies: every entry, change, message and status. Inbound messages are
 * added once (by wamid); statuses only move forward; unknown numbers are logged and skipped.
 */
export function createInboxProcessor(deps: {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  onNoteQueued?: () => void;
  /** A customer message was added (broadcast reply attribution). */
  onInbound?: (tx: Queryable, m: { accountId: string; waId: string; at: Date; type: string; text: string }) => Promise<void>;
  /** A status carried our callback data: Meta accepted that send as `wamid`. */
  onAccepted?: (tx: Queryable, callbackData: string, wamid: string) => Promise<void>;
  /** One of our messages failed after it was accepted. */
  onFailed?: (tx: Queryable, messageId: string, code: number, title: string) => Promise<void>;
  /** Meta changed a template's status (APPROVED, PAUSED, DISABLED…). */
  onTemplateStatus?: (
    tx: Queryable,
    t: { wabaId: string; templateId?: string; name: string; language: string; event: string; reason?: string },
  ) => Promise<void>;
}) {
  const { db, clock, ids, logger } = deps;
  const queue = durableQueue('whatsapp_inbox', clock);

  const conversationFor = (tx: Queryable, number: { id: string; account_id: string }, waId: string, name: string | undefined, at: Date) =>
    ensureConversation(tx, { id: ids(), accountId: number.account_id, numberId: number.id, waId, name, at });

  /**
   * The conversation with the customer who sent `m`: by phone, or by Meta's business-scoped user id
   * (BSUID) when they hide their phone behind a username (the BSUID is then the conversation's wa_id
   * until a phone comes). Null when the message names no customer at all.
   */
  async function customerConversation(
    tx: Queryable,
    number: { id: string; account_id: string },
    m: MetaMessage,
    value: MetaValue,
  ): Promise<{ id: string; waId: string } | null> {
    const contacts = value.contacts ?? [];
    const contact =
      contacts.find((c) => (m.from && c.wa_id === m.from) || (m.from_user_id && c.user_id === m.from_user_id)) ??
      (contacts.length === 1 ? contacts[0] : undefined);
    const waId = m.from ?? contact?.wa_id;
    const userId = m.from_user_id ?? contact?.user_id;
    const name = contact?.profile?.name;
    const username = contact?.profile?.username;
    let id: string;
    if (waId) {
      // A conversation begun without the phone takes it once Meta gives it.
      if (userId) await givePhoneToUserConversation(tx, number.id, userId, waId);
      id = await conversationFor(tx, number, waId, name, clock.now());
    } else if (userId) {
      id = (await conversationOfUser(tx, number.id, userId)) ?? (await conversationFor(tx, number, userId, name, clock.now()));
    } else {
      logger.warn({ accountId: number.account_id, wamid: m.id }, 'inbound message names no customer (neither phone nor user id); not stored');
      return null;
    }
    if (userId || username || name) {
      await noteCustomer(tx, id, { userId: userId ?? null, username: username ?? null, name: name ?? null, at: clock.now() });
    }
    return { id, waId: waId ?? userId! };
  }

  async function inbound(tx: Queryable, number: { id: string; account_id: string }, value: MetaValue) {
    for (const m of value.messages ?? []) {
      if (!m.id) continue;
      const at = m.timestamp ? new Date(Number(m.timestamp) * 1000) : clock.now();
      const customer = await customerConversation(tx, number, m, value);
      if (!customer) continue;
      const conversationId = customer.id;
      const type = m.type ?? 'unknown';
      const content = contentOf(m);
      const messageId = await insertInboundMessage(tx, {
        id: ids(),
        accountId: number.account_id,
        conversationId,
        wamid: m.id,
        type,
        content,
        replyTo: m.context?.id ?? null,
        at,
      });
      if (!messageId) continue;
      await publish(tx, { accountId: number.account_id, type: 'message.created', conversationId, messageId }, deps);
      await enqueueNote(tx, { messageId, accountId: number.account_id, at: clock.now() });
      if (type === 'system') {
        // Meta's notice, not the customer writing: no window opens, and a changed number is followed.
        await system(tx, number, conversationId, customer.waId, content);
        continue;
      }
      if (type === 'reaction' && typeof content.message_id === 'string') {
        const target = await setReaction(tx, conversationId, content.message_id, (content.emoji as string | undefined) || null);
        if (target) await publish(tx, { accountId: number.account_id, type: 'message.status', conversationId, messageId: target }, deps);
      }
      await noteInboundAt(tx, conversationId, at);
      const text =
        type === 'text' ? String((content as { body?: string }).body ?? '') : type === 'button' ? String((content as { payload?: string }).payload ?? '') : '';
      if (text && isStopWord(text)) {
        const stopped = await markOptedOut(tx, conversationId, at);
        const how = text === UNSUBSCRIBE_PAYLOAD ? 'tapped “Unsubscribe” in a broadcast' : `wrote “${text.trim().slice(0, 40)}”`;
        if (stopped)
          await enqueueEvent(tx, {
            id: ids(),
            accountId: number.account_id,
            conversationId,
            text: `The customer opted out of WhatsApp broadcasts (${how}).`,
            at,
          });
      }
      const said = type === 'text' ? text : type === 'button' ? String((content as { text?: string }).text ?? text) : messageText(type, content);
      await deps.onInbound?.(tx, { accountId: number.account_id, waId: customer.waId, at, type, text: said });
    }
  }

  /**
   * Meta's system notice. `user_changed_number`: the conversation follows the customer to the new
   * number, unless this number already has a conversation with it (then both stay, and the notice in
   * the old one names the new number).
   */
  async function system(tx: Queryable, number: { id: string; account_id: string }, conversationId: string, waId: string, content: Record<string, unknown>) {
    const newWaId = typeof content.wa_id === 'string' ? content.wa_id : typeof content.new_wa_id === 'string' ? content.new_wa_id : undefined;
    if (content.type !== 'user_changed_number' || !newWaId || newWaId === waId) return;
    const moved = await followNewNumber(tx, number.id, conversationId, newWaId, clock.now());
    await publish(tx, { accountId: number.account_id, type: 'conversation.updated', conversationId }, deps);
    await enqueueEvent(tx, {
      id: ids(),
      accountId: number.account_id,
      conversationId,
      text: moved
        ? `The customer changed their WhatsApp number from +${waId} to +${newWaId}; the chat continues on the new number.`
        : `The customer changed their WhatsApp number from +${waId} to +${newWaId}, which has its own chat.`,
      at: clock.now(),
    });
  }

  type StatusIn = StoredStatus & { reason: string };

  /** Moves a stored message's status forward; false when nothing moved. */
  async function advance(tx: Queryable, s: StatusIn): Promise<boolean> {
    const m = await advanceStatus(tx, s);
    if (m) await advanced(tx, m, s);
    return Boolean(m);
  }

  /** A message's status moved: the widget hears of it, and a failure is told to the Kommo timeline and its broadcast. */
  async function advanced(tx: Queryable, m: StatusChange, s: StatusIn) {
    await publishStatus(tx, m, deps);
    await enqueueStatus(tx, { messageId: m.id, status: s.status, at: clock.now() });
    if (s.status === 'failed') {
      await enqueueEvent(tx, {
        id: ids(),
        accountId: m.account_id,
        conversationId: m.conversation_id,
        text: `WhatsApp message not delivered — ${s.reason} (code ${s.code ?? 'none'}).`,
        at: s.at,
      });
      await deps.onFailed?.(tx, m.id, s.code ?? 0, s.reason);
    }
  }

  async function statuses(tx: Queryable, value: MetaValue) {
    const list = (value.statuses ?? []).flatMap((s) => {
      if (!s.id || !s.status) return [];
      const error = s.errors?.[0];
      const reason = error?.error_data?.details ? `${error.title ?? ''}: ${error.error_data.details}` : (error?.title ?? 'unknown reason');
      return [
        {
          wamid: s.id,
          status: s.status,
          at: s.timestamp ? new Date(Number(s.timestamp) * 1000) : clock.now(),
          code: error?.code ?? null,
          title: error?.title ?? null,
          reason,
          callback: s.biz_opaque_callback_data,
        },
      ];
    });
    // Our send call may not have answered (a crash, a timeout): the callback data names the broadcast recipient Meta accepted.
    for (const s of list) if (s.callback) await deps.onAccepted?.(tx, s.callback, s.wamid);
    if (new Set(list.map((s) => s.wamid)).size < list.length) {
      // The same message twice in one body (sent, then delivered…): one after the other, in order.
      for (const s of list) if (!(await advance(tx, s))) await keepEarly(tx, [s]);
      return;
    }
    if (!list.length) return;
    // Different messages' statuses: moved in one statement, the rest kept in another.
    const moved = await advanceStatuses(tx, list);
    const byWamid = new Map(list.map((s) => [s.wamid, s]));
    for (const m of moved) await advanced(tx, m, byWamid.get(m.wamid)!);
    const movedWamids = new Set(moved.map((m) => m.wamid));
    await keepEarly(
      tx,
      list.filter((s) => !movedWamids.has(s.wamid)),
    );
  }

  /** Statuses that moved no message are kept for later when there is no such message yet (its send has not answered). */
  async function keepEarly(tx: Queryable, list: StoredStatus[]) {
    if (!list.length) return;
    await keepEarlyStatuses(tx, list);
  }

  async function preferences(tx: Queryable, number: { id: string; account_id: string }, value: MetaValue) {
    for (const p of value.user_preferences ?? []) {
      if (!p.wa_id || (p.value !== 'stop' && p.value !== 'resume')) continue;
      const conversationId = await conversationFor(tx, number, p.wa_id, undefined, clock.now());
      const changed = p.value === 'stop' ? await markOptedOut(tx, conversationId, clock.now()) : await clearOptOut(tx, conversationId);
      const text =
        p.value === 'stop'
          ? 'The customer stopped marketing messages from this business in WhatsApp.'
          : 'The customer allowed marketing messages from this business again in WhatsApp.';
      if (changed) await enqueueEvent(tx, { id: ids(), accountId: number.account_id, conversationId, text, at: clock.now() });
    }
  }

  /**
   * Acts on every entry and change of one stored body, inside the caller's transaction; true when the
   * body is only about accounts that withdrew consent (it is then deleted rather than kept).
   */
  async function act(tx: Queryable, id: string, body: MetaWebhookBody): Promise<boolean> {
    let discarded = 0;
    let other = 0;
    for (const entry of body.entry ?? []) {
      for (const change of entry.changes ?? []) {
        const value = change.value ?? {};
        if (change.field === 'message_template_status_update') {
          const t = value;
          if (entry.id && t.event && t.message_template_name && t.message_template_language) {
            await deps.onTemplateStatus?.(tx, {
              wabaId: entry.id,
              ...(t.message_template_id !== undefined ? { templateId: String(t.message_template_id) } : {}),
              name: t.message_template_name,
              language: t.message_template_language,
              event: t.event,
              ...(t.reason ? { reason: t.reason } : {}),
            });
          }
          other++;
          continue;
        }
        const pnid = value.metadata?.phone_number_id;
        const number = pnid ? await numberOfPhoneNumberId(tx, pnid) : undefined;
        if (!number) {
          logger.warn({ phoneNumberId: pnid, inboxId: id }, 'webhook for a number no account has connected; ignored');
          other++;
          continue;
        }
        // SPEC §9: from the withdrawal on, the account's inbound is acknowledged and nothing of it is kept.
        if (number.consent_withdrawn) {
          logger.info({ accountId: number.account_id, inboxId: id }, 'webhook for an account that withdrew consent; discarded');
          discarded++;
          continue;
        }
        other++;
        if (change.field === 'messages') {
          await inbound(tx, number, value);
          await statuses(tx, value);
        } else if (change.field === 'user_preferences') {
          await preferences(tx, number, value);
        }
      }
    }
    return discarded > 0 && other === 0;
  }

  /**
   * Acts on the still unprocessed ones of `ids`, in their order, in one transaction (under load most
   * of a body's cost is its own begin, lock, mark and commit); how many it took.
   */
  async function take(ids: string[]): Promise<number> {
    const done = await db.transaction(async (tx) => {
      // Locked while processed: another instance's drain skips them rather than doing them twice.
      const rows = await queue.lock<{ id: string; body: unknown }>(tx, ids, 'id, body');
      const discarded: string[] = [];
      const malformed: { id: string; error: string }[] = [];
      for (const row of rows) {
        // Read through Meta's schema (contract/meta-webhook.ts): a body it does not fit cannot be acted
        // on, now or later; it is kept, marked with what is wrong, for a person to look at.
        const body = MetaWebhookBody.safeParse(row.body);
        if (!body.success)
          malformed.push({
            id: String(row.id),
            error: `not a Meta webhook body: ${body.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
          });
        else if (await act(tx, String(row.id), body.data)) discarded.push(String(row.id));
      }
      await queue.done(
        tx,
        rows.map((r) => String(r.id)),
      );
      for (const m of malformed) {
        logger.warn({ inboxId: m.id, error: m.error }, "webhook body does not fit Meta's schema; kept, not acted on");
        await markInboxMalformed(tx, m.id, m.error);
      }
      if (discarded.length) await deleteInboxBodies(tx, discarded);
      return rows.length;
    });
    if (done) deps.onNoteQueued?.();
    return done;
  }

  /** Acts on one stored body; true when it is now processed. A failure is written on it, and it is due again by the queue's backoff. */
  async function process(id: string): Promise<boolean> {
    try {
      return (await take([id])) > 0;
    } catch (err) {
      logger.error({ err, inboxId: id }, 'webhook not processed; it stays in the inbox');
      // When the store itself is gone this fails too, and the body is taken up again as never tried.
      await queue.retryLater(db, id, errorText(err)).catch(() => undefined);
      return false;
    }
  }

  /** Several bodies together; when any of them fails, each is taken alone, so only the failing one is marked. */
  async function processChunk(ids: string[]): Promise<number> {
    if (ids.length > 1) {
      try {
        return await take(ids);
      } catch {
        // Taken one by one below.
      }
    }
    let done = 0;
    for (const id of ids) if (await process(id)) done++;
    return done;
  }

  /** Takes the due bodies in lanes by customer; how many it processed. */
  async function drainOnce(): Promise<number> {
    // Bodies that failed before (a bug, a bad body) are due again only when their backoff has passed.
    const rows = await queue.due<{ id: string; customer: string | null }>(db, {
      limit: 1000,
      columns: `id, coalesce(body #>> '{entry,0,changes,0,value,messages,0,from}', body #>> '{entry,0,changes,0,value,messages,0,from_user_id}', body #>> '{entry,0,changes,0,value,statuses,0,recipient_id}') as customer`,
    });
    // Lanes by customer: one customer's bodies are taken in the order they came (their messages
    // show in that order); different customers' run side by side.
    const lanes = new Map<number, string[]>();
    for (const row of rows) {
      const lane = hashOf(row.customer ?? '') % LANES;
      lanes.set(lane, lanes.get(lane) ?? []);
      lanes.get(lane)!.push(String(row.id));
    }
    let done = 0;
    await Promise.all(
      [...lanes.values()].map(async (ids) => {
        for (let i = 0; i < ids.length; i += CHUNK) done += await processChunk(ids.slice(i, i + CHUNK));
      }),
    );
    return done;
  }
  /** The drain under way (or the last one): the next one starts when it has ended. */
  let drained: Promise<unknown> = Promise.resolve();

  /** Applies statuses that arrived before the send call returned the message id. */
  async function applyEarlyStatuses(tx: Queryable, wamid: string) {
    const early = await earlyStatusesOf(tx, wamid);
    for (const s of early)
      await advance(tx, { wamid, status: s.status, at: s.at, code: s.error_code, title: s.error_title, reason: s.error_title ?? 'unknown reason' });
    await deleteEarlyStatusesOf(tx, wamid);
  }

  return {
    process,
    /** Processes what an earlier process stored but did not finish (at start, and on a schedule). */
    processPending(): Promise<number> {
      // One drain at a time however it is asked for (the background drain, the broadcast engine's
      // reconciliation): two would take one customer's bodies side by side, out of order.
      const run = drained.then(drainOnce, drainOnce);
      drained = run.catch(() => undefined);
      return run;
    },
    applyEarlyStatuses,
    /**
     * Applies early statuses whose message is stored by now. A status webhook and its send's
     * checkpoint can commit side by side, each not yet seeing the other (the webhook found no
     * message, the checkpoint found no early status): this catches them up, on a schedule. Only a
     * day's early statuses are looked at (such a race is over in moments; a number shared with another
     * app can leave many that never find their message), and those go after a week.
     */
    async applyStrandedStatuses(): Promise<number> {
      const wamids = await wamidsWithEarlyStatuses(db, new Date(clock.now().getTime() - DAY_MS));
      for (const wamid of wamids) await db.transaction((tx) => applyEarlyStatuses(tx, wamid));
      await forgetEarlyStatusesBefore(db, new Date(clock.now().getTime() - 7 * DAY_MS));
      return wamids.length;
    },
  };
}
export type InboxProcessor = ReturnType<typeof createInboxProcessor>;

const LANES = 4;
/** Bodies of one lane acted on in one transaction. */
const CHUNK = 20;

/** A broadcast message's status moves its broadcast's delivered and read counts: the event names the broadcast too. */
function publishStatus(tx: Queryable, m: StatusChange, stamps: Stamps) {
  return publish(
    tx,
    { accountId: m.account_id, type: 'message.status', conversationId: m.conversation_id, messageId: m.id, broadcastId: m.broadcast_id ?? undefined },
    stamps,
  );
}

function hashOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}

/** What Meta's message item carries for its type, stored as an object (a contacts card's list wrapped; Meta's errors kept). */
function contentOf(m: MetaMessage): Record<string, unknown> {
  const body = (m as Record<string, unknown>)[m.type ?? 'unknown'];
  const errors = m.errors?.length ? { errors: m.errors } : {};
  if (Array.isArray(body)) return { [m.type!]: body, ...errors };
  return { ...(body && typeof body === 'object' ? (body as Record<string, unknown>) : {}), ...errors };
}
