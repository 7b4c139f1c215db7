import type { Clock } from '../clock';
import type { Db, Queryable } from '../store/db';
import { durableQueue } from '../store/durable-queue';

/** The native chat channel's SQL (SPEC §5): the switch and connection, chats, users, the outbox to Kommo and Kommo's hooks. */

export interface ChannelRow {
  account_id: string;
  enabled: boolean;
  state: 'connect' | 'connected' | 'disconnect' | 'off';
  amojo_account_id: string | null;
  scope_id: string | null;
  attempts: number;
  last_error: string | null;
}

export interface OutboxRow {
  seq: string;
  account_id: string;
  conversation_id: string;
  kind: 'message' | 'status';
  message_id: string;
  status: string;
  error: string | null;
  attempts: number;
}

export interface ImportRow {
  id: string;
  direction: 'in' | 'out';
  type: string;
  content: Record<string, unknown>;
  created_at: Date;
  sent_by: string | null;
  sent_by_name: string | null;
  status: string;
  error_code: number | null;
  error_title: string | null;
  wa_id: string;
  customer_name: string | null;
  kommo_contact_id: string | null;
  /** Kommo's id for the message when a manager wrote it in Kommo's chat. */
  kommo_msgid: string | null;
}

export interface ReplyRow {
  kommo_msgid: string;
  account_id: string;
  message_id: string;
  body: unknown;
  attempts: number;
}

/**
 * A message of a conversation joins the queue to Kommo's chat when the account's channel is on,
 * unless a manager wrote it in Kommo's chat (it is there already). In the caller's transaction.
 */
export async function enqueueImport(tx: Queryable, input: { messageId: string; at: Date }) {
  await tx.query(
    `insert into kommo_channel_outbox (account_id, conversation_id, kind, message_id, next_attempt_at)
     select m.account_id, m.conversation_id, 'message', m.id, $2 from messages m join kommo_channels k on k.account_id = m.account_id and k.enabled
     where m.id = $1 and not exists (select 1 from kommo_channel_replies r where r.message_id = m.id)
     on conflict do nothing`,
    [input.messageId, input.at],
  );
}

/**
 * A status of one of our messages for Kommo's chat (delivered, read, failed): only for a message
 * Kommo's chat has (imported, or written there by a manager). In the caller's transaction.
 */
export async function enqueueStatus(tx: Queryable, input: { messageId: string; status: string; at: Date; error?: string }) {
  if (!['delivered', 'read', 'failed'].includes(input.status)) return;
  await tx.query(
    `insert into kommo_channel_outbox (account_id, conversation_id, kind, message_id, status, error, next_attempt_at)
     select m.account_id, m.conversation_id, 'status', m.id, $2, $4, $3 from messages m join kommo_channels k on k.account_id = m.account_id and k.enabled
     where m.id = $1 and m.direction = 'out'
       and (exists (select 1 from kommo_channel_outbox o where o.message_id = m.id and o.kind = 'message') or exists (select 1 from kommo_channel_replies r where r.message_id = m.id))
     on conflict do nothing`,
    [input.messageId, input.status, input.at, input.error ?? null],
  );
}

export function createChannelStore(db: Db, clock: Clock) {
  return {
    /** The three queues (`QUEUES` in store/durable-queue.ts): connects and disconnects, what goes to Kommo's chat, and managers' answers. */
    connections: durableQueue('kommo_channel_connections', clock),
    outbox: durableQueue('kommo_channel_outbox', clock),
    replies: durableQueue('kommo_channel_replies', clock),

    async channel(accountId: string): Promise<ChannelRow | undefined> {
      const [row] = await db.query<ChannelRow>('select * from kommo_channels where account_id = $1', [accountId]);
      return row;
    },

    /** The admin's switch: on asks for a connect, off for a disconnect. */
    async setSwitch(accountId: string, enabled: boolean, at: Date, by: number) {
      await db.query(
        `insert into kommo_channels (account_id, enabled, state, due_at, attempts, updated_at, updated_by) values ($1, $2, $3, $4, 0, $4, $5)
         on conflict (account_id) do update set enabled = excluded.enabled, state = excluded.state, due_at = excluded.due_at, attempts = 0, last_error = null,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [accountId, enabled, enabled ? 'connect' : 'disconnect', at, by],
      );
    },

    /** An install or reinstall: a channel switched on connects again. In the install's transaction. */
    async reconnectOnInstall(tx: Queryable, accountId: string, at: Date) {
      await tx.query(
        `update kommo_channels set state = 'connect', due_at = $2, attempts = 0, last_error = null, updated_at = $2 where account_id = $1 and enabled`,
        [accountId, at],
      );
    },

    /** An uninstall: the channel disconnects (the switch is kept for a reinstall). In the uninstall's transaction. */
    async disconnectOnUninstall(tx: Queryable, accountId: string, at: Date) {
      await tx.query(
        `update kommo_channels set state = 'disconnect', due_at = $2, attempts = 0, last_error = null, updated_at = $2 where account_id = $1 and state <> 'off'`,
        [accountId, at],
      );
    },

    async connected(accountId: string, amojoAccountId: string, scopeId: string, at: Date) {
      await db.query(
        `update kommo_channels set state = 'connected', amojo_account_id = $2, scope_id = $3, due_at = null, attempts = 0, last_error = null, updated_at = $4 where account_id = $1 and state = 'connect'`,
        [accountId, amojoAccountId, scopeId, at],
      );
    },

    async disconnected(accountId: string, at: Date) {
      await db.query(
        `update kommo_channels set state = 'off', scope_id = null, due_at = null, attempts = 0, last_error = null, updated_at = $2 where account_id = $1 and state = 'disconnect'`,
        [accountId, at],
      );
    },

    /** The account a scope id belongs to, and the amojo account it was connected for (Kommo's hook names the scope). */
    async accountOfScope(scopeId: string): Promise<{ accountId: string; amojoAccountId: string | null } | undefined> {
      const [row] = await db.query<{ account_id: string; amojo_account_id: string | null }>(
        `select account_id, amojo_account_id from kommo_channels where scope_id = $1 and enabled`,
        [scopeId],
      );
      return row && { accountId: row.account_id, amojoAccountId: row.amojo_account_id };
    },

    /** Rows behind a failed one of their conversation wait as long as it does. */
    async postpone(seqs: string[], until: Date) {
      if (seqs.length) await db.query('update kommo_channel_outbox set next_attempt_at = $2 where seq = any($1::bigint[])', [seqs, until]);
    },

    async importRow(messageId: string): Promise<ImportRow | undefined> {
      const [row] = await db.query<ImportRow>(
        `select m.id, m.direction, m.type, m.content, m.created_at, m.sent_by, u.name as sent_by_name, m.status, m.error_code, m.error_title,
                c.wa_id, c.customer_name, c.kommo_contact_id, r.kommo_msgid
         from messages m join conversations c on c.id = m.conversation_id
           left join account_users u on u.account_id = m.account_id and u.kommo_user_id = m.sent_by
           left join kommo_channel_replies r on r.message_id = m.id
         where m.id = $1`,
        [messageId],
      );
      return row;
    },

    async chatOf(conversationId: string): Promise<string | undefined> {
      const [row] = await db.query<{ chat_id: string }>('select chat_id from kommo_channel_chats where conversation_id = $1', [conversationId]);
      return row?.chat_id;
    },

    async saveChat(input: { conversationId: string; accountId: string; chatId: string; contactId: number | null; at: Date }) {
      await db.query(
        'insert into kommo_channel_chats (conversation_id, account_id, chat_id, contact_id, created_at) values ($1, $2, $3, $4, $5) on conflict do nothing',
        [input.conversationId, input.accountId, input.chatId, input.contactId, input.at],
      );
      if (input.contactId)
        await db.query('update conversations set kommo_contact_id = coalesce(kommo_contact_id, $2) where id = $1', [input.conversationId, input.contactId]);
    },

    async userAmojoId(accountId: string, userId: number): Promise<string | undefined> {
      const [row] = await db.query<{ amojo_id: string }>('select amojo_id from kommo_channel_users where account_id = $1 and kommo_user_id = $2', [
        accountId,
        userId,
      ]);
      return row?.amojo_id;
    },

    async saveUserAmojoId(accountId: string, userId: number, amojoId: string) {
      await db.query(
        'insert into kommo_channel_users (account_id, kommo_user_id, amojo_id) values ($1, $2, $3) on conflict (account_id, kommo_user_id) do update set amojo_id = excluded.amojo_id',
        [accountId, userId, amojoId],
      );
    },

    /** The Kommo user behind an amojo id, and whether the admin lets them use Wabridge (null: not known to us). */
    async userOfAmojoId(accountId: string, amojoId: string): Promise<{ userId: number; enabled: boolean } | null> {
      const [row] = await db.query<{ kommo_user_id: string; enabled: boolean | null }>(
        `select c.kommo_user_id, u.enabled from kommo_channel_users c
         left join account_users u on u.account_id = c.account_id and u.kommo_user_id = c.kommo_user_id
         where c.account_id = $1 and c.amojo_id = $2`,
        [accountId, amojoId],
      );
      return row ? { userId: Number(row.kommo_user_id), enabled: row.enabled !== false } : null;
    },

    /** Kommo's hook, kept before it is acknowledged; false when this message was stored already (a repeat). */
    async storeReply(input: { kommoMsgid: string; accountId: string; messageId: string; chatId: string | null; body: unknown; at: Date }): Promise<boolean> {
      const added = await db.query(
        `insert into kommo_channel_replies (kommo_msgid, account_id, message_id, chat_id, body, received_at, next_attempt_at) values ($1, $2, $3, $4, $5, $6, $6) on conflict (kommo_msgid) do nothing returning kommo_msgid`,
        [input.kommoMsgid, input.accountId, input.messageId, input.chatId, JSON.stringify(input.body), input.at],
      );
      return added.length > 0;
    },

    /** Our message for a reply, if a send of it began (`wamid` once WhatsApp took it). */
    async replyMessage(messageId: string): Promise<{ status: string; wamid: string | null; conversation_id: string } | undefined> {
      const [row] = await db.query<{ status: string; wamid: string | null; conversation_id: string }>(
        'select status, wamid, conversation_id from messages where id = $1',
        [messageId],
      );
      return row;
    },

    /** A reply whose send was cut off before WhatsApp answered: failed, with the reason, and told to Kommo's chat. */
    async failInterrupted(messageId: string, reason: string, at: Date) {
      await db.transaction(async (tx) => {
        const moved = await tx.query(
          `update messages set status = 'failed', error_title = $2, status_at = $3 where id = $1 and status = 'queued' and wamid is null returning id`,
          [messageId, reason, at],
        );
        if (moved.length) await enqueueStatus(tx, { messageId, status: 'failed', at, error: reason });
      });
    },

    /** A reply the relay refused (window closed, allowance used up…): its failure, for Kommo's chat. */
    async refuseReply(input: { accountId: string; conversationId: string; messageId: string; kommoMsgid: string; reason: string; at: Date }) {
      await db.transaction(async (tx) => {
        await tx.query(
          `insert into kommo_channel_outbox (account_id, conversation_id, kind, message_id, status, error, next_attempt_at) values ($1, $2, 'status', $3, 'failed', $4, $5) on conflict do nothing`,
          [input.accountId, input.conversationId, input.messageId, input.reason, input.at],
        );
        await tx.query('update kommo_channel_replies set done_at = $2, last_error = $3 where kommo_msgid = $1', [input.kommoMsgid, input.at, input.reason]);
      });
    },

    /** The id Kommo's chat knows a message by: Kommo's own for a manager's reply, ours otherwise. */
    async msgidFor(messageId: string): Promise<string> {
      const [row] = await db.query<{ kommo_msgid: string }>('select kommo_msgid from kommo_channel_replies where message_id = $1', [messageId]);
      return row?.kommo_msgid ?? messageId;
    },

    /** The conversation a Kommo chat names, if it is the account's. */
    async conversationOf(accountId: string, conversationId: string): Promise<string | undefined> {
      const [row] = await db.query<{ id: string }>('select id from conversations where id = $1 and account_id = $2', [conversationId, accountId]);
      return row?.id;
    },
  };
}
export type ChannelStore = ReturnType<typeof createChannelStore>;
