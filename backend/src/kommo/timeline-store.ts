import { enqueueImport } from '../kommo-channel/channel-store';
import type { Queryable } from '../store/db';

/** Puts a message on the account's Kommo timeline queue (and its native chat's, when on), in the caller's transaction. */
export async function enqueueNote(tx: Queryable, input: { messageId: string; accountId: string; at: Date }) {
  await tx.query('insert into kommo_note_outbox (message_id, account_id, next_attempt_at) values ($1, $2, $3) on conflict do nothing', [
    input.messageId,
    input.accountId,
    input.at,
  ]);
  await enqueueImport(tx, { messageId: input.messageId, at: input.at });
}

/** A system event of the conversation (opt-out, failed delivery…) for the contact's timeline, in the caller's transaction. */
export async function enqueueEvent(tx: Queryable, input: { id: string; accountId: string; conversationId: string; text: string; at: Date }) {
  await tx.query('insert into kommo_event_outbox (id, account_id, conversation_id, text, at, next_attempt_at) values ($1, $2, $3, $4, $5, $5)', [
    input.id,
    input.accountId,
    input.conversationId,
    input.text,
    input.at,
  ]);
}

/** A note on a Kommo lead, or a task for its owner (`responsibleUserId`), in the caller's transaction. */
export async function enqueueLeadNote(
  tx: Queryable,
  input: { id: string; accountId: string; leadId: number | string; kind: 'note' | 'task'; text: string; responsibleUserId?: number | string | null; at: Date },
) {
  await tx.query(
    'insert into kommo_lead_outbox (id, account_id, lead_id, kind, text, responsible_user_id, next_attempt_at) values ($1, $2, $3, $4, $5, $6, $7)',
    [input.id, input.accountId, input.leadId, input.kind, input.text, input.responsibleUserId ?? null, input.at],
  );
}

export interface Due {
  message_id: string;
  account_id: string;
  direction: 'in' | 'out';
  type: string;
  content: Record<string, unknown>;
  wa_id: string;
  conversation_id: string;
  kommo_contact_id: string | null;
  created_at: Date;
}

/** The claimed messages to write, with their conversations, oldest first. */
export function notesToWrite(db: Queryable, messageIds: string[]): Promise<Due[]> {
  return db.query<Due>(
    `select o.message_id, o.account_id, m.direction, m.type, m.content, m.created_at, c.wa_id, c.id as conversation_id, c.kommo_contact_id
     from kommo_note_outbox o join messages m on m.id = o.message_id join conversations c on c.id = m.conversation_id
     where o.message_id = any($1::text[]) order by m.created_at, m.seq`,
    [messageIds],
  );
}

export async function customerName(db: Queryable, conversationId: string): Promise<string | null> {
  const [conv] = await db.query<{ customer_name: string | null }>('select customer_name from conversations where id = $1', [conversationId]);
  return conv?.customer_name ?? null;
}

/** The conversation's customer and the Kommo contact it is linked to, if any. */
export async function conversationContact(db: Queryable, conversationId: string): Promise<{ wa_id: string; kommo_contact_id: string | null } | undefined> {
  const [conv] = await db.query<{ wa_id: string; kommo_contact_id: string | null }>('select wa_id, kommo_contact_id from conversations where id = $1', [
    conversationId,
  ]);
  return conv;
}

/** Links the conversation to its Kommo contact. */
export async function linkContact(db: Queryable, conversationId: string, contactId: number): Promise<void> {
  await db.query('update conversations set kommo_contact_id = $2 where id = $1', [conversationId, contactId]);
}
