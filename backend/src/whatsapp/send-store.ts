import type { AccountRow } from '../kommo/account-store';
import { PERIODS_JSON, periodsFromJson, TAKE_MESSAGES } from '../licensing/licence-store';
import type { PeriodRow } from '../licensing/licence-state';
import { CHANNEL } from '../live/live-events';
import type { Queryable } from '../store/db';
import { QUOTED, QUOTED_COLUMNS, type ConversationRow, type MessageRow } from './message-views';
import type { NumberRow } from './numbers-service';
import type { TemplateRow } from './templates-service';

/**
 * The send path's SQL (docs/decisions/025): one statement reads everything the send rules need, one
 * takes the allowance and stores the message as queued, and one, after Meta answered, records the
 * wamid. Each is a single statement, so each is atomic on its own; what may change between the
 * read and the write and must still hold (the allowance, an opt-out) is checked again by the write.
 */

/** Who sends what to whom, as the read needs it: a conversation by id (the chat), or a number and a customer (the public API). */
export interface SendTarget {
  accountId: string;
  conversationId: string | null;
  numberId: string | null;
  waId: string | null;
  template: { name: string; language: string } | null;
  /** The chat's collision guard: the newest message the agent had seen, and the agent. */
  seenUpTo: { messageId: string; userId: number | null } | null;
  replyTo: string | null;
}

/** Everything the send rules decide on, read in one statement. */
export interface SendFacts {
  account: AccountRow;
  periods: PeriodRow[];
  number: NumberRow | null;
  /** Null when the customer was never written to on this number (a public API send opens it). */
  conversation: ConversationRow | null;
  /** The customer opted out in any chat of the account (SPEC §6). */
  optedOut: boolean;
  template: TemplateRow | null;
  /** Another agent's message since `seenUpTo`, with their name. */
  repliedSince: { name: string | null } | null;
  /** The wamid of the message `replyTo` names, when it is in the conversation and was sent. */
  replyWamid: string | null;
}

/** The account (and its licence periods), the number, the conversation, the opt-out, the template, the collision guard and the quoted message: one statement. */
export async function readSendFacts(q: Queryable, t: SendTarget): Promise<SendFacts | undefined> {
  const [row] = await q.query<
    AccountRow & {
      periods: PeriodRow[] | string;
      number: NumberRow | null;
      conversation: ConversationRow | null;
      opted_out: boolean;
      template: TemplateRow | null;
      replied_since: { name: string | null } | null;
      reply_wamid: string | null;
    }
  >(
    `with c as (
       select * from conversations
       where account_id = $1 and (case when $2::text is not null then id = $2::text else number_id = $3::text and wa_id = $4::text end)
     ),
     n as (select * from whatsapp_numbers where account_id = $1 and id = coalesce($3::text, (select number_id from c)))
     select a.*, ${PERIODS_JSON('a.id')} as periods,
       (select row_to_json(n) from n) as number,
       (select row_to_json(c) from c) as conversation,
       exists (select 1 from conversations o where o.account_id = $1 and o.wa_id = coalesce($4::text, (select wa_id from c)) and o.opted_out_at is not null) as opted_out,
       (select json_build_object('status', t.status, 'param_count', t.param_count) from whatsapp_templates t
         where $5::text is not null and t.account_id = $1 and t.waba_id = (select waba_id from n) and t.name = $5::text and t.language = $6::text) as template,
       (select json_build_object('name', u.name) from messages m left join account_users u on u.account_id = m.account_id and u.kommo_user_id = m.sent_by
         where $7::text is not null and m.conversation_id = (select id from c) and m.direction = 'out' and m.sent_by is distinct from $8::bigint
           and (m.created_at, m.seq) > (select created_at, seq from messages where id = $7::text and conversation_id = (select id from c))
         order by m.created_at desc limit 1) as replied_since,
       (select wamid from messages where $9::text is not null and id = $9::text and conversation_id = (select id from c)) as reply_wamid
     from accounts a where a.id = $1`,
    [
      t.accountId,
      t.conversationId,
      t.numberId,
      t.waId,
      t.template?.name ?? null,
      t.template?.language ?? null,
      t.seenUpTo?.messageId ?? null,
      t.seenUpTo?.userId ?? null,
      t.replyTo,
    ],
  );
  if (!row) return undefined;
  const { periods, number, conversation, opted_out, template, replied_since, reply_wamid, ...account } = row;
  return {
    account,
    periods: periodsFromJson(periods),
    number,
    conversation,
    optedOut: opted_out,
    template,
    repliedSince: replied_since,
    replyWamid: reply_wamid,
  };
}

/**
 * Opens the conversation when it is new, takes one message from the allowance, and only then stores
 * the message as queued and tells the account's live streams (`message.created`): one statement.
 * Null when the allowance is used up (nothing stored but the conversation). With `refuseOptedOut`
 * (an automated template, SPEC §6) the opt-out is read again inside this statement: one that landed
 * after `readSendFacts` stores nothing and answers 'opted_out' (docs/decisions/035).
 */
export async function insertQueued(
  q: Queryable,
  m: {
    id: string;
    accountId: string;
    conversationId: string | null;
    newConversationId: string;
    numberId: string;
    waId: string;
    type: string;
    content: Record<string, unknown>;
    sentBy: number | null;
    replyTo: string | null;
    at: Date;
    refuseOptedOut: boolean;
  },
): Promise<{ conversationId: string } | 'opted_out' | null> {
  const [row] = await q.query<{ conversation_id: string | null; opted_out: boolean; notified: string | number }>(
    `with clear as (
       select 1 where not $13::boolean
         or not exists (select 1 from conversations o where o.account_id = $2::text and o.wa_id = $6::text and o.opted_out_at is not null)
     ),
     conv as (
       insert into conversations (id, account_id, number_id, wa_id, created_at, updated_at)
       select $4::text, $2::text, $5::text, $6::text, $11::timestamptz, $11::timestamptz where $3::text is null and exists (select 1 from clear)
       on conflict (number_id, wa_id) do update set updated_at = conversations.updated_at
       returning id
     ),
     taken as (${TAKE_MESSAGES('$2::text', '1', '$11::timestamptz')} and exists (select 1 from clear) returning id),
     message as (
       insert into messages (id, account_id, conversation_id, direction, type, content, status, sent_by, reply_to, created_at, status_at)
       select $1::text, $2::text, coalesce($3::text, (select id from conv)), 'out', $7::text, $8::jsonb, 'queued', $9::bigint, $10::text, $11::timestamptz, $11::timestamptz from taken
       returning conversation_id
     ),
     notified as (
       select pg_notify($12::text, json_build_object('accountId', $2::text, 'type', 'message.created', 'conversationId', conversation_id, 'messageId', $1::text)::text) from message
     )
     select (select conversation_id from message) as conversation_id, not exists (select 1 from clear) as opted_out, (select count(*) from notified) as notified`,
    [
      m.id,
      m.accountId,
      m.conversationId,
      m.newConversationId,
      m.numberId,
      m.waId,
      m.type,
      JSON.stringify(m.content),
      m.sentBy,
      m.replyTo,
      m.at,
      CHANNEL,
      m.refuseOptedOut,
    ],
  );
  if (row?.opted_out) return 'opted_out';
  return row?.conversation_id ? { conversationId: row.conversation_id } : null;
}

/**
 * Meta took the message: its wamid, its Kommo note queued, the conversation moved up the list; the
 * message as the answer shows it, and whether a status came before the wamid did (`early_statuses`);
 * undefined when the message is gone meanwhile (the customer's data was erased).
 */
export async function recordAccepted(
  q: Queryable,
  m: { id: string; wamid: string; accountId: string; conversationId: string; at: Date },
): Promise<{ message: MessageRow; early: boolean } | undefined> {
  const [row] = await q.query<MessageRow & { early: boolean }>(
    `with m as (update messages set wamid = $2 where id = $1 returning *),
     note as (insert into kommo_note_outbox (message_id, account_id, next_attempt_at) values ($1, $3, $5) on conflict do nothing returning message_id),
     touched as (update conversations set updated_at = $5 where id = $4 returning id),
     -- Kommo's native chat gets our message too when the account switched the channel on (decision
     -- 026), unless it came from there (a manager's answer is in Kommo's chat already).
     imported as (insert into kommo_channel_outbox (account_id, conversation_id, kind, message_id, next_attempt_at)
       select k.account_id, $4, 'message', $1, $5 from kommo_channels k
       where k.account_id = $3 and k.enabled and not exists (select 1 from kommo_channel_replies r where r.message_id = $1)
       on conflict do nothing returning message_id)
     select m.*, ${QUOTED_COLUMNS}, exists (select 1 from early_statuses e where e.wamid = $2) as early,
       (select count(*) from note) + (select count(*) from touched) + (select count(*) from imported) as written
     from m ${QUOTED}`,
    [m.id, m.wamid, m.accountId, m.conversationId, m.at],
  );
  if (!row) return undefined;
  const { early, ...message } = row;
  return { message, early };
}

/** WhatsApp refused the message: it is failed, with Meta's code and title. Its conversation, when the message exists. */
export async function recordRefused(q: Queryable, m: { id: string; code: number; title: string; at: Date }): Promise<string | undefined> {
  const [row] = await q.query<{ conversation_id: string }>(
    `update messages set status = 'failed', error_code = $2, error_title = $3, status_at = $4 where id = $1 returning conversation_id`,
    [m.id, m.code, m.title, m.at],
  );
  return row?.conversation_id;
}
