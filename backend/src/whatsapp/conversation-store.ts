import type { Queryable } from '../store/db';
import { tookPartWith } from './conversations';
import { MESSAGE_JSON, QUOTED, QUOTED_COLUMNS, type ConversationRow, type MessageRow } from './message-views';

/** The conversation between one of our numbers and a customer, created on first contact; returns its id. */
export async function ensureConversation(
  tx: Queryable,
  c: { id: string; accountId: string; numberId: string; waId: string; name?: string; at: Date },
): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `insert into conversations (id, account_id, number_id, wa_id, customer_name, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6)
     on conflict (number_id, wa_id) do update set customer_name = coalesce(excluded.customer_name, conversations.customer_name), updated_at = excluded.updated_at
     returning id`,
    [c.id, c.accountId, c.numberId, c.waId, c.name ?? null, c.at],
  );
  return row!.id;
}

// The conversation with its count of customer messages newer than the last time someone opened it.
const WITH_UNREAD = `select c.*, (select count(*) from messages m where m.conversation_id = c.id and m.direction = 'in'
    and m.created_at > coalesce(c.last_read_at, '-infinity'::timestamptz)) as unread from conversations c`;

/** The account's conversation; with its unread count only when `withUnread` (counting is not free in a long conversation). */
export async function findConversation(db: Queryable, accountId: string, conversationId: string, withUnread: boolean): Promise<ConversationRow | undefined> {
  const [row] = await db.query<ConversationRow>(`${withUnread ? WITH_UNREAD : 'select c.* from conversations c'} where c.id = $1 and c.account_id = $2`, [
    conversationId,
    accountId,
  ]);
  return row;
}

/** The account's country in Kommo. */
export async function accountCountry(db: Queryable, accountId: string): Promise<string | null> {
  const [account] = await db.query<{ country: string | null }>('select country from accounts where id = $1', [accountId]);
  return account?.country ?? null;
}

/** The account's 200 latest conversations with their unread counts, or one customer's (`waId`); `narrowTo` a user: only customers they took part with. */
export function listConversations(db: Queryable, accountId: string, waId: string | null, narrowTo: number | null): Promise<ConversationRow[]> {
  return db.query<ConversationRow>(
    `${WITH_UNREAD} where c.account_id = $1 and ($2::text is null or c.wa_id = $2)
       and ($3::bigint is null or ${tookPartWith('$1', 'c.wa_id', '$3')})
     order by c.updated_at desc limit 200`,
    [accountId, waId, narrowTo],
  );
}

/** The conversation of the number with the customer, created if there is none (an existing one is left as it is); its id. */
export async function openConversation(db: Queryable, c: { id: string; accountId: string; numberId: string; waId: string; at: Date }): Promise<string> {
  const [row] = await db.query<ConversationRow>(
    `insert into conversations (id, account_id, number_id, wa_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)
     on conflict (number_id, wa_id) do update set updated_at = conversations.updated_at returning *`,
    [c.id, c.accountId, c.numberId, c.waId, c.at],
  );
  return row!.id;
}

/** `openConversation` for many customers (each wa_id once: an upsert may touch a row only once), in one statement; their ids. */
export async function openConversations(
  db: Queryable,
  c: { accountId: string; numberId: string; ids: string[]; waIds: string[]; at: Date },
): Promise<string[]> {
  const opened = await db.query<{ id: string }>(
    `insert into conversations (id, account_id, number_id, wa_id, created_at, updated_at)
     select id, $1, $2, wa_id, $5, $5 from unnest($3::text[], $4::text[]) as p(id, wa_id)
     on conflict (number_id, wa_id) do update set updated_at = conversations.updated_at returning id`,
    [c.accountId, c.numberId, c.ids, c.waIds, c.at],
  );
  return opened.map((o) => o.id);
}

/** These conversations of the account, with their unread counts. */
export function conversationsWithUnread(db: Queryable, accountId: string, ids: string[]): Promise<ConversationRow[]> {
  return db.query<ConversationRow>(`${WITH_UNREAD} where c.id = any($1::text[]) and c.account_id = $2`, [ids, accountId]);
}

/** The account's 200 conversations with the latest customer messages, with their unread counts. */
export function latestInboundConversations(db: Queryable, accountId: string): Promise<ConversationRow[]> {
  return db.query<ConversationRow>(`${WITH_UNREAD} where c.account_id = $1 order by c.last_inbound_at desc nulls last limit 200`, [accountId]);
}

/** A message's content and the number of its conversation, if it is the account's. */
export async function messageMedia(db: Queryable, accountId: string, messageId: string) {
  const [m] = await db.query<{ content: { id?: string; mediaId?: string; mime_type?: string; mimeType?: string }; number_id: string }>(
    `select m.content, c.number_id from messages m join conversations c on c.id = m.conversation_id where m.id = $1 and m.account_id = $2`,
    [messageId, accountId],
  );
  return m;
}

/** The customer's newest message in the conversation. */
export async function newestInbound(db: Queryable, conversationId: string): Promise<{ wamid: string; created_at: Date } | undefined> {
  const [newest] = await db.query<{ wamid: string; created_at: Date }>(
    `select wamid, created_at from messages where conversation_id = $1 and direction = 'in' order by created_at desc, seq desc limit 1`,
    [conversationId],
  );
  return newest;
}

/** The conversation was read up to `upTo` (never back). */
export async function markReadUpTo(tx: Queryable, conversationId: string, upTo: Date): Promise<void> {
  await tx.query('update conversations set last_read_at = greatest(coalesce(last_read_at, $2), $2) where id = $1', [conversationId, upTo]);
}

/** The customer opted in again; false if they had not opted out. */
export async function markOptedIn(tx: Queryable, conversationId: string, at: Date): Promise<boolean> {
  const changed = await tx.query('update conversations set opted_out_at = null, updated_at = $2 where id = $1 and opted_out_at is not null returning id', [
    conversationId,
    at,
  ]);
  return changed.length > 0;
}

/** The account user's name, if known. */
export async function userName(tx: Queryable, accountId: string, userId: number): Promise<string | null> {
  const [user] = await tx.query<{ name: string | null }>('select name from account_users where account_id = $1 and kommo_user_id = $2', [accountId, userId]);
  return user?.name ?? null;
}

/**
 * A conversation's page, newest first, of `limit` messages older than message `before`, as the JSON
 * text of `{ messages, nextBefore }` (each message as `messageView` makes it), built by the store in
 * one statement that also checks the conversation is the account's (null: it is not). The rows are
 * not parsed and serialised again in Node (docs/decisions/038).
 */
export async function messagePageJson(db: Queryable, accountId: string, conversationId: string, before: string | null, limit: number): Promise<string | null> {
  const [row] = await db.query<{ page: string }>(
    `select json_build_object(
         'messages', coalesce(json_agg(${MESSAGE_JSON} order by m.n) filter (where m.n <= $3), '[]'),
         'nextBefore', case when count(m.id) > $3 then min(m.id) filter (where m.n = $3) end
       )::text as page
     from conversations c
       left join lateral (
         select *, row_number() over (order by created_at desc, seq desc) as n from messages
         where conversation_id = c.id
           and ($2::text is null or (created_at, seq) < (select created_at, seq from messages where id = $2 and conversation_id = c.id))
           -- A reaction shows on the message it reacts to; only one to a message not here shows alone.
           and not (type = 'reaction' and exists (select 1 from messages t where t.wamid = messages.content ->> 'message_id' and t.conversation_id = c.id))
         order by created_at desc, seq desc limit $3::int + 1
       ) m on true
       ${QUOTED}
     where c.id = $1 and c.account_id = $4
     group by c.id`,
    [conversationId, before, limit, accountId],
  );
  return row?.page ?? null;
}

/** One message of the account, with what it quotes. */
export async function findMessage(db: Queryable, accountId: string, messageId: string): Promise<MessageRow | undefined> {
  const [m] = await db.query<MessageRow>(`select m.*, ${QUOTED_COLUMNS} from messages m ${QUOTED} where m.id = $1 and m.account_id = $2`, [
    messageId,
    accountId,
  ]);
  return m;
}
