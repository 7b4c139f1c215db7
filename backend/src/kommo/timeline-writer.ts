import type { Logger } from 'pino';
import type { BackgroundTasks } from '../background-tasks';
import type { Clock } from '../clock';
import type { Db } from '../store/db';
import { durableQueue, errorText, type DurableQueue, type QueueName } from '../store/durable-queue';
import { messageText } from '../whatsapp/message-text';
import { createPacer, type Pacer } from '../whatsapp/pacer';

/**
 * One per process: Kommo allows 7 requests per second per account; we keep to 5, leaving room for
 * the two calls an install makes before the account is ours to pace (the account and its installing
 * user), which otherwise pushed a busy first second to Kommo's 429.
 */
export const createKommoPacer = () => createPacer(5, { concurrency: 1 });
import type { KommoAccess } from './kommo-access';
import type { KommoApi, KommoNote } from './kommo-api';
import { conversationContact, customerName, linkContact, notesToWrite, type Due } from './timeline-store';

// Kept for whatsapp/sending.ts (slice wt-trust), which imports it from here; new callers import the store.

const LEASE_MS = 60_000;
const BATCH = 50;

/**
 * Writes every WhatsApp message to the contact's Kommo timeline as an `sms_in` / `sms_out` note
 * (SPEC §3): from a durable outbox, batched per account, under Kommo's 7 requests/s, retried with
 * growing pauses; a row is marked done once Kommo accepted it, so a note is written once.
 */
export function createTimelineWriter(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  kommo: KommoApi;
  access: KommoAccess;
  /** Whether the account turned on contact and lead creation for unknown numbers, and its Kommo plan allows it. */
  mayAutoCreate: (accountId: string) => Promise<boolean>;
  /** Kommo's 7 requests/s per account, shared with every other caller of the Kommo API. */
  pacer?: Pacer;
}) {
  const { db, clock, logger } = deps;
  const pacer = deps.pacer ?? createKommoPacer();

  const noteText = (m: Due) => messageText(m.type, m.content);

  const notesQueue = durableQueue('kommo_note_outbox', clock);
  const leadsQueue = durableQueue('kommo_lead_outbox', clock);
  const eventsQueue = durableQueue('kommo_event_outbox', clock);

  /** An outbox row Kommo did not take: tried again by the Kommo backoff (from 2 s up to an hour). */
  async function retryLater(queue: DurableQueue, key: string, error: unknown) {
    await queue.retryLater(db, key, errorText(error));
  }

  async function fail(rows: Due[], error: string) {
    for (const row of rows) await retryLater(notesQueue, row.message_id, error);
  }

  async function writeAccount(accountId: string, rows: Due[]) {
    let token;
    try {
      token = await deps.access.accessToken(accountId);
    } catch (err) {
      return fail(rows, err instanceof Error ? err.message : String(err));
    }
    const notes: { row: Due; note: KommoNote }[] = [];
    for (const row of rows) {
      let contactId = row.kommo_contact_id ? Number(row.kommo_contact_id) : undefined;
      if (!contactId) {
        try {
          contactId = (await pacer.run(accountId, () => deps.kommo.findContactByPhone(token.host, token.accessToken, row.wa_id)))?.id;
        } catch (err) {
          await fail([row], err instanceof Error ? err.message : String(err));
          continue;
        }
        if (!contactId && row.direction === 'in' && (await deps.mayAutoCreate(accountId))) {
          try {
            const name = (await customerName(db, row.conversation_id)) ?? `+${row.wa_id}`;
            contactId = (
              await pacer.run(accountId, () =>
                deps.kommo.createContactWithLead(token.host, token.accessToken, { contactName: name, phone: `+${row.wa_id}`, leadName: `WhatsApp: ${name}` }),
              )
            ).contactId;
          } catch (err) {
            await fail([row], err instanceof Error ? err.message : String(err));
            continue;
          }
        }
        if (!contactId) {
          // No contact with this phone in Kommo: nothing to attach the note to.
          await notesQueue.done(db, [row.message_id], { note: 'no Kommo contact has this phone' });
          continue;
        }
        await linkContact(db, row.conversation_id, contactId);
      }
      notes.push({
        row,
        note: {
          entityId: contactId,
          noteType: row.direction === 'in' ? 'sms_in' : 'sms_out',
          params: { text: noteText(row), phone: `+${row.wa_id}` },
          createdAt: new Date(row.created_at),
        },
      });
    }
    if (!notes.length) return;
    try {
      await pacer.run(accountId, () =>
        deps.kommo.addNotes(
          token.host,
          token.accessToken,
          'contacts',
          notes.map((n) => n.note),
        ),
      );
      await notesQueue.done(
        db,
        notes.map((n) => n.row.message_id),
      );
    } catch (err) {
      logger.warn({ err, accountId, notes: notes.length }, 'Kommo notes not written; retrying later');
      await fail(
        notes.map((n) => n.row),
        err instanceof Error ? err.message : String(err),
      );
    }
  }

  return {
    /** Writes what is due now in all three outboxes; returns how many notes it tried. */
    async drain(): Promise<number> {
      return (await drainMessages()) + (await drainLeads()) + (await drainEvents());
    },
    /** Each outbox's drain, by its queue: run through `BackgroundTasks.drain` under that name. */
    drains: { kommo_note_outbox: drainMessages, kommo_lead_outbox: drainLeads, kommo_event_outbox: drainEvents } satisfies Partial<
      Record<QueueName, () => Promise<number>>
    >,
  };

  /** Messages as sms_in / sms_out notes, batched per account. */
  async function drainMessages(): Promise<number> {
    // A lease: rows being written are not picked up by another process meanwhile.
    const claimed = await notesQueue.claim<{ message_id: string }>(db, { limit: BATCH, leaseMs: LEASE_MS });
    if (!claimed.length) return 0;
    const rows = await notesToWrite(
      db,
      claimed.map((c) => c.message_id),
    );
    const byAccount = new Map<string, Due[]>();
    for (const row of rows) byAccount.set(row.account_id, [...(byAccount.get(row.account_id) ?? []), row]);
    for (const [accountId, list] of byAccount) await writeAccount(accountId, list);
    return rows.length;
  }

  /** System events as `extended_service_message` notes on the contact (Kommo's advice for integration events). */
  async function drainEvents(): Promise<number> {
    const due = await eventsQueue.claim<{ id: string; account_id: string; conversation_id: string; text: string; at: Date }>(db, {
      limit: BATCH,
      leaseMs: LEASE_MS,
    });
    for (const row of due) {
      try {
        const token = await deps.access.accessToken(row.account_id);
        const conv = await conversationContact(db, row.conversation_id);
        let contactId = conv?.kommo_contact_id ? Number(conv.kommo_contact_id) : undefined;
        if (!contactId && conv) {
          contactId = (await pacer.run(row.account_id, () => deps.kommo.findContactByPhone(token.host, token.accessToken, conv.wa_id)))?.id;
          if (contactId) await linkContact(db, row.conversation_id, contactId);
        }
        if (!contactId) {
          await eventsQueue.done(db, [row.id], { note: 'no Kommo contact has this phone' });
          continue;
        }
        await pacer.run(row.account_id, () =>
          deps.kommo.addNotes(token.host, token.accessToken, 'contacts', [
            {
              entityId: contactId,
              noteType: 'extended_service_message',
              params: { service: 'Wabridge · WhatsApp', text: row.text },
              createdAt: new Date(row.at),
            },
          ]),
        );
        await eventsQueue.done(db, [row.id]);
      } catch (err) {
        await retryLater(eventsQueue, row.id, err);
      }
    }
    return due.length;
  }

  /** Notes and tasks on leads (broadcast replies): each written once, retried with growing pauses. */
  async function drainLeads(): Promise<number> {
    const now = clock.now();
    const due = await leadsQueue.claim<{
      id: string;
      account_id: string;
      lead_id: string;
      kind: 'note' | 'task';
      text: string;
      responsible_user_id: string | null;
    }>(db, { limit: BATCH, leaseMs: LEASE_MS });
    for (const row of due) {
      try {
        const token = await deps.access.accessToken(row.account_id);
        await pacer.run(row.account_id, () =>
          row.kind === 'note'
            ? deps.kommo.addNotes(token.host, token.accessToken, 'leads', [{ entityId: Number(row.lead_id), noteType: 'common', params: { text: row.text } }])
            : deps.kommo.addTask(token.host, token.accessToken, {
                leadId: Number(row.lead_id),
                responsibleUserId: Number(row.responsible_user_id),
                text: row.text,
                completeTill: new Date(now.getTime() + 3600_000),
              }),
        );
        await leadsQueue.done(db, [row.id]);
      } catch (err) {
        await retryLater(leadsQueue, row.id, err);
      }
    }
    return due.length;
  }
}
export type TimelineWriter = ReturnType<typeof createTimelineWriter>;

/** Asks for each outbox's drain (one per outbox and instance, however often asked). */
export function drainTimeline(tasks: BackgroundTasks, timeline: TimelineWriter): void {
  for (const queue of ['kommo_note_outbox', 'kommo_lead_outbox', 'kommo_event_outbox'] as const) tasks.drain(queue, timeline.drains[queue]);
}
