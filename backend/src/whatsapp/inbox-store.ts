import type { Queryable } from '../store/db';
import { statusAdvances } from './message-status';

/**
 * The SQL of Meta's webhook inbox: storing bodies, and what acting on them writes (customers'
 * messages, their conversations, statuses, early statuses).
 */

/** Stores webhook bodies as they came, in one statement. */
export async function insertInboxBodies(db: Queryable, bodies: { body: string; at: Date }[]): Promise<void> {
  await db.query(
    `insert into whatsapp_inbox (body, received_at) values ${bodies.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}`,
    bodies.flatMap((b) => [b.body, b.at]),
  );
}

/** The connected number Meta knows by `phoneNumberId`, and whether its account withdrew consent. */
export async function numberOfPhoneNumberId(
  tx: Queryable,
  phoneNumberId: string,
): Promise<{ id: string; account_id: string; consent_withdrawn: boolean } | undefined> {
  const [number] = await tx.query<{ id: string; account_id: string; consent_withdrawn: boolean }>(
    'select n.id, n.account_id, a.consent_withdrawn_at is not null as consent_withdrawn from whatsapp_numbers n join accounts a on a.id = n.account_id where n.phone_number_id = $1',
    [phoneNumberId],
  );
  return number;
}

/** A body that is not Meta's: kept, marked with what is wrong. */
export async function markInboxMalformed(tx: Queryable, id: string, error: string): Promise<void> {
  await tx.query('update whatsapp_inbox set error = $2 where id = $1', [id, error]);
}

export async function deleteInboxBodies(tx: Queryable, ids: string[]): Promise<void> {
  await tx.query('delete from whatsapp_inbox where id = any($1::bigint[])', [ids]);
}

/** The number's conversation begun under the customer's user id takes their phone (unless the phone has its own). */
export async function givePhoneToUserConversation(tx: Queryable, numberId: string, userId: string, waId: string): Promise<void> {
  await tx.query(
    'update conversations set wa_id = $3 where number_id = $1 and wa_id = $2 and not exists (select 1 from conversations where number_id = $1 and wa_id = $3)',
    [numberId, userId, waId],
  );
}

/** The number's latest conversation with the customer known by this user id. */
export async function conversationOfUser(tx: Queryable, numberId: string, userId: string): Promise<string | undefined> {
  const [known] = await tx.query<{ id: string }>(
    'select id from conversations where number_id = $1 and (user_id = $2 or wa_id = $2) order by updated_at desc limit 1',
    [numberId, userId],
  );
  return known?.id;
}

/** Notes what Meta tells of the customer (each kept when not told). */
export async function noteCustomer(
  tx: Queryable,
  conversationId: string,
  c: { userId: string | null; username: string | null; name: string | null; at: Date },
): Promise<void> {
  await tx.query(
    'update conversations set user_id = coalesce($2, user_id), username = coalesce($3, username), customer_name = coalesce($4, customer_name), updated_at = $5 where id = $1',
    [conversationId, c.userId, c.username, c.name, c.at],
  );
}

/** Adds the customer's message once (by wamid); its id, or undefined when it was already there. */
export async function insertInboundMessage(
  tx: Queryable,
  m: { id: string; accountId: string; conversationId: string; wamid: string; type: string; content: unknown; replyTo: string | null; at: Date },
): Promise<string | undefined> {
  const added = await tx.query<{ id: string }>(
    `insert into messages (id, account_id, conversation_id, direction, wamid, type, content, status, reply_to, created_at, status_at)
     values ($1, $2, $3, 'in', $4, $5, $6, 'received', $7, $8, $8) on conflict (wamid) do nothing returning id`,
    [m.id, m.accountId, m.conversationId, m.wamid, m.type, JSON.stringify(m.content), m.replyTo, m.at],
  );
  return added.length ? String(added[0]!.id) : undefined;
}

/** The customer's reaction on a message of the conversation (null: taken back); the message's id, if found. */
export async function setReaction(tx: Queryable, conversationId: string, wamid: string, emoji: string | null): Promise<string | undefined> {
  const [target] = await tx.query<{ id: string }>('update messages set reaction = $2 where wamid = $1 and conversation_id = $3 returning id', [
    wamid,
    emoji,
    conversationId,
  ]);
  return target?.id;
}

/** The customer last wrote at `at` (never moved back). */
export async function noteInboundAt(tx: Queryable, conversationId: string, at: Date): Promise<void> {
  await tx.query('update conversations set last_inbound_at = greatest(coalesce(last_inbound_at, $2), $2) where id = $1', [conversationId, at]);
}

/** The customer opted out at `at`; false if they already had. */
export async function markOptedOut(tx: Queryable, conversationId: string, at: Date): Promise<boolean> {
  const stopped = await tx.query('update conversations set opted_out_at = $2 where id = $1 and opted_out_at is null returning id', [conversationId, at]);
  return stopped.length > 0;
}

/** The customer allowed messages again in WhatsApp; false if they had not opted out. */
export async function clearOptOut(tx: Queryable, conversationId: string): Promise<boolean> {
  const resumed = await tx.query('update conversations set opted_out_at = null where id = $1 and opted_out_at is not null returning id', [conversationId]);
  return resumed.length > 0;
}

/** The conversation moves to the customer's new number, unless the number already has a conversation with it; true if moved. */
export async function followNewNumber(tx: Queryable, numberId: string, conversationId: string, newWaId: string, at: Date): Promise<boolean> {
  const moved = await tx.query(
    'update conversations set wa_id = $2, updated_at = $3 where id = $1 and not exists (select 1 from conversations where number_id = $4 and wa_id = $2) returning id',
    [conversationId, newWaId, at, numberId],
  );
  return moved.length > 0;
}

export interface StatusChange {
  id: string;
  account_id: string;
  conversation_id: string;
  broadcast_id: string | null;
}

export interface StatusIn {
  wamid: string;
  status: string;
  at: Date;
  code: number | null;
  title: string | null;
}

const CHANGED = `id, account_id, conversation_id, content ->> 'broadcastId' as broadcast_id`;

/** Moves a stored message's status forward; the message, if it moved. */
export async function advanceStatus(tx: Queryable, s: StatusIn): Promise<StatusChange | undefined> {
  const [m] = await tx.query<StatusChange>(
    `update messages set status = $2, status_at = $3, error_code = coalesce($4, error_code), error_title = coalesce($5, error_title)
     where wamid = $1 and ${statusAdvances('$2', 'status')} returning ${CHANGED}`,
    [s.wamid, s.status, s.at, s.code, s.title],
  );
  return m;
}

/** `advanceStatus` for different messages' statuses, in one statement; the messages that moved. */
export function advanceStatuses(tx: Queryable, list: StatusIn[]): Promise<(StatusChange & { wamid: string })[]> {
  return tx.query<StatusChange & { wamid: string }>(
    `update messages m set status = s.status, status_at = s.at, error_code = coalesce(s.code, m.error_code), error_title = coalesce(s.title, m.error_title)
     from unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::text[]) as s(wamid, status, at, code, title)
     where m.wamid = s.wamid and ${statusAdvances('s.status', 'm.status')}
     returning m.id, m.account_id, m.conversation_id, m.content ->> 'broadcastId' as broadcast_id, m.wamid`,
    [list.map((s) => s.wamid), list.map((s) => s.status), list.map((s) => s.at), list.map((s) => s.code), list.map((s) => s.title)],
  );
}

/** Keeps statuses whose message is not stored yet (its send has not answered), once each. */
export async function keepEarlyStatuses(tx: Queryable, list: StatusIn[]): Promise<void> {
  await tx.query(
    `insert into early_statuses (wamid, status, error_code, error_title, at)
     select s.wamid, s.status, s.code, s.title, s.at from unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::text[]) as s(wamid, status, at, code, title)
     where not exists (select 1 from messages where wamid = s.wamid) on conflict do nothing`,
    [list.map((s) => s.wamid), list.map((s) => s.status), list.map((s) => s.at), list.map((s) => s.code), list.map((s) => s.title)],
  );
}

/** The statuses kept for this message, oldest first. */
export function earlyStatusesOf(tx: Queryable, wamid: string) {
  return tx.query<{ status: string; error_code: number | null; error_title: string | null; at: Date }>(
    'select * from early_statuses where wamid = $1 order by at',
    [wamid],
  );
}

export async function deleteEarlyStatusesOf(tx: Queryable, wamid: string): Promise<void> {
  await tx.query('delete from early_statuses where wamid = $1', [wamid]);
}

/** Up to 500 messages stored by now with statuses kept since `since`. */
export async function wamidsWithEarlyStatuses(db: Queryable, since: Date): Promise<string[]> {
  const rows = await db.query<{ wamid: string }>(
    'select distinct e.wamid from early_statuses e join messages m on m.wamid = e.wamid where e.at > $1 limit 500',
    [since],
  );
  return rows.map((r) => r.wamid);
}

export async function forgetEarlyStatusesBefore(db: Queryable, before: Date): Promise<void> {
  await db.query('delete from early_statuses where at < $1', [before]);
}
