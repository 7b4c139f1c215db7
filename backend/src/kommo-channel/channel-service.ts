import { recordAudit } from '../audit/audit-log';
import type { Logger } from 'pino';
import type { BackgroundTasks } from '../background-tasks';
import type { Clock } from '../clock';
import { isAppError } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { KommoAccess } from '../kommo/kommo-access';
import type { KommoApi } from '../kommo/kommo-api';
import type { Db, Queryable } from '../store/db';
import { BACKOFF, errorText, retryDelay } from '../store/durable-queue';
import type { ChatService } from '../whatsapp/chat-service';
import { messageText } from '../whatsapp/message-text';
import type { Pacer } from '../whatsapp/pacer';
import type { ChannelApi } from './channel-api';
import { createChannelStore, type ChannelRow, type OutboxRow, type ReplyRow } from './channel-store';
import { ChannelHook, customerRef, DELIVERY_ERROR_OTHER, deliveryStatusOf, hookSignatureValid } from './channel-rules';

const LEASE_MS = 60_000;
const BATCH = 50;
/** While an answer from Kommo's chat is being sent, its lease is moved forward this often (decision 035). */
export const REPLY_RENEW_MS = 2_000;
/**
 * An answer that failed this many times (about half an hour of Kommo's backoff) is given up: Kommo's
 * chat shows it failed, and the chat's later answers, which wait behind it, go on.
 */
export const REPLY_ATTEMPTS = 10;

/**
 * Kommo's native chat channel (SPEC §5, decision 026): per account, switched on by an admin, when
 * the channel Kommo registered for us is configured. Connected after every install, disconnected
 * on uninstall; WhatsApp messages both ways are imported into the account's Kommo chat (the chat
 * created first and linked to the contact), a manager's answer in Kommo's chat is stored before
 * Kommo's hook is acknowledged and sent to WhatsApp through the relay, and its statuses go back.
 * Everything to Kommo leaves from a durable outbox, in order per conversation, once.
 */
export function createKommoChannel(deps: {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  tasks: BackgroundTasks;
  /** Unset: no channel configured (KOMMO_CHANNEL_* unset); the switch stays off and everything else works. */
  channel?: { api: ChannelApi; secret: string; botId: string };
  kommo: KommoApi;
  access: KommoAccess;
  kommoPacer: Pacer;
  chat: Pick<ChatService, 'send'>;
}) {
  const { db, clock, logger } = deps;
  const store = createChannelStore(db, clock);
  /** When a row that failed `attempts` times before is due again: what the queue's `retryLater` sets. */
  const later = (attempts: number) => new Date(clock.now().getTime() + retryDelay(BACKOFF.kommo, attempts + 1));

  /** Each queue has its drain (decision 023); asked for at once, each runs on its own. */
  const kick = () => {
    if (!deps.channel) return;
    const api = deps.channel.api;
    deps.tasks.drain('kommo_channel_connections', () => drainConnections(api));
    deps.tasks.drain('kommo_channel_outbox', () => drainOutbox(api));
    deps.tasks.drain('kommo_channel_replies', () => drainReplies());
  };

  /** The three queues, one after the other (tests, and a caller that waits). */
  async function drain(): Promise<number> {
    if (!deps.channel) return 0;
    return (await drainConnections(deps.channel.api)) + (await drainOutbox(deps.channel.api)) + (await drainReplies());
  }

  async function drainConnections(api: ChannelApi): Promise<number> {
    const due = await store.connections.claim<ChannelRow>(db, { limit: 20, leaseMs: LEASE_MS });
    for (const row of due) {
      try {
        if (row.state === 'connect') {
          const token = await deps.access.accessToken(row.account_id);
          const amojoAccountId =
            row.amojo_account_id ?? (await deps.kommoPacer.run(row.account_id, () => deps.channel!.api.accountAmojoId(token.host, token.accessToken)));
          const { scopeId } = await api.connect(amojoAccountId);
          await store.connected(row.account_id, amojoAccountId, scopeId, clock.now());
          logger.info({ accountId: row.account_id, scopeId }, 'Kommo chat channel connected');
        } else {
          if (row.amojo_account_id) await api.disconnect(row.amojo_account_id);
          await store.disconnected(row.account_id, clock.now());
          logger.info({ accountId: row.account_id }, 'Kommo chat channel disconnected');
        }
      } catch (err) {
        logger.warn({ err, accountId: row.account_id, state: row.state }, 'Kommo chat channel not (dis)connected; retrying later');
        await store.connections.retryLater(db, row.account_id, errorText(err));
      }
    }
    return due.length;
  }

  async function drainOutbox(api: ChannelApi): Promise<number> {
    const rows = await store.outbox.claim<OutboxRow>(db, { limit: BATCH, leaseMs: LEASE_MS });
    const blocked = new Map<string, Date>();
    const channels = new Map<string, Awaited<ReturnType<typeof store.channel>>>();
    for (const row of rows) {
      const waitUntil = blocked.get(row.conversation_id);
      if (waitUntil) {
        await store.postpone([row.seq], waitUntil);
        continue;
      }
      if (!channels.has(row.account_id)) channels.set(row.account_id, await store.channel(row.account_id));
      const channel = channels.get(row.account_id);
      if (!channel?.enabled) {
        await store.outbox.done(db, [row.seq], { note: 'the channel was switched off' });
        continue;
      }
      try {
        if (channel.state !== 'connected' || !channel.scope_id) throw new Error('the channel is not connected yet');
        await (row.kind === 'message' ? importMessage(api, channel.scope_id, row) : writeStatus(api, channel.scope_id, row));
        await store.outbox.done(db, [row.seq]);
      } catch (err) {
        logger.warn({ err, seq: row.seq, kind: row.kind }, 'not written to Kommo’s chat; retrying later');
        await store.outbox.retryLater(db, row.seq, errorText(err));
        blocked.set(row.conversation_id, later(row.attempts));
      }
    }
    return rows.length;
  }

  /** Imports one message: into a chat created beforehand and linked to the contact (no stray incoming lead). */
  async function importMessage(api: ChannelApi, scopeId: string, row: OutboxRow) {
    const m = await store.importRow(row.message_id);
    if (!m) return;
    const customer = { id: customerRef(m.wa_id), name: m.customer_name ?? `+${m.wa_id}`, phone: `+${m.wa_id}` };
    if (!(await store.chatOf(row.conversation_id))) {
      const { chatId } = await api.createChat(scopeId, { conversationId: row.conversation_id, customer });
      const token = await deps.access.accessToken(row.account_id);
      const contactId = m.kommo_contact_id
        ? Number(m.kommo_contact_id)
        : (await deps.kommoPacer.run(row.account_id, () => deps.kommo.findContactByPhone(token.host, token.accessToken, m.wa_id)))?.id;
      if (contactId) await deps.kommoPacer.run(row.account_id, () => deps.channel!.api.linkChat(token.host, token.accessToken, chatId, contactId));
      await store.saveChat({ conversationId: row.conversation_id, accountId: row.account_id, chatId, contactId: contactId ?? null, at: clock.now() });
    }
    let refId: string | undefined;
    if (m.direction === 'out') refId = m.sent_by ? await userAmojoId(row.account_id, Number(m.sent_by)) : deps.channel!.botId;
    await api.importMessage(scopeId, {
      msgid: m.id,
      conversationId: row.conversation_id,
      at: new Date(m.created_at),
      direction: m.direction,
      customer,
      refId,
      senderName: m.direction === 'out' ? (m.sent_by_name ?? undefined) : undefined,
      text: messageText(m.type, m.content),
    });
  }

  /** The Kommo user's amojo id (their messages are imported as sent by them), asked of Kommo once. */
  async function userAmojoId(accountId: string, userId: number): Promise<string> {
    const known = await store.userAmojoId(accountId, userId);
    if (known) return known;
    const token = await deps.access.accessToken(accountId);
    const amojoId = await deps.kommoPacer.run(accountId, () => deps.channel!.api.userAmojoId(token.host, token.accessToken, userId));
    await store.saveUserAmojoId(accountId, userId, amojoId);
    return amojoId;
  }

  /** The Kommo user behind an amojo id: known from earlier, or asked of Kommo (and remembered); null when the account has no such user. */
  async function senderOf(accountId: string, amojoId: string): Promise<{ userId: number; enabled: boolean } | null> {
    const known = await store.userOfAmojoId(accountId, amojoId);
    if (known) return known;
    const token = await deps.access.accessToken(accountId);
    const userId = await deps.kommoPacer.run(accountId, () => deps.channel!.api.userOfAmojoId(token.host, token.accessToken, amojoId));
    if (userId === undefined) return null;
    await store.saveUserAmojoId(accountId, userId, amojoId);
    return store.userOfAmojoId(accountId, amojoId);
  }

  async function writeStatus(api: ChannelApi, scopeId: string, row: OutboxRow) {
    const code = deliveryStatusOf(row.status);
    if (!code) return;
    let error = row.error ?? undefined;
    if (code === -1 && !error) {
      const m = await store.importRow(row.message_id);
      error = m?.error_title ? `${m.error_title}${m.error_code ? ` (code ${m.error_code})` : ''}` : 'not delivered';
    }
    await api.deliveryStatus(scopeId, await store.msgidFor(row.message_id), code === -1 ? { code, errorCode: DELIVERY_ERROR_OTHER, error } : { code });
  }

  /**
   * Managers' answers from Kommo's chat, in the order Kommo sent them, through the relay's rules. One
   * at a time, its lease moved forward while its send runs: another instance takes an answer only
   * when the one sending it is gone, so one still being sent is never marked interrupted (decision 035).
   */
  async function drainReplies(): Promise<number> {
    let taken = 0;
    for (; taken < BATCH; taken++) {
      const [row] = await store.replies.claim<ReplyRow>(db, { limit: 1, leaseMs: LEASE_MS });
      if (!row) break;
      let renewing: Promise<unknown> = Promise.resolve();
      const renew = setInterval(() => {
        renewing = store.replies
          .extend(db, [row.kommo_msgid], LEASE_MS)
          .catch((err) => logger.warn({ err, kommoMsgid: row.kommo_msgid }, 'lease of an answer from Kommo’s chat not renewed'));
      }, REPLY_RENEW_MS);
      let failure: unknown;
      try {
        await sendReply(row);
      } catch (err) {
        failure = err ?? new Error('failed');
      } finally {
        clearInterval(renew);
        await renewing;
      }
      if (failure !== undefined) {
        const gaveUp = row.attempts + 1 >= REPLY_ATTEMPTS && (await giveUp(row, errorText(failure)));
        if (!gaveUp) {
          logger.warn({ err: failure, kommoMsgid: row.kommo_msgid }, 'answer from Kommo’s chat not sent yet; retrying later');
          await store.replies.retryLater(db, row.kommo_msgid, errorText(failure));
        }
      }
    }
    return taken;
  }

  /** The answer is not sent: Kommo's chat says so, and the chat's next answers go on. False when even that failed (retried). */
  async function giveUp(row: ReplyRow, error: string): Promise<boolean> {
    try {
      // A send of it began (its message is stored): the next attempt settles it as interrupted, or as sent.
      if (await store.replyMessage(row.message_id)) return false;
      const reason = `Not sent to WhatsApp: it failed ${REPLY_ATTEMPTS} times (${error}). Send it again.`;
      const hook = ChannelHook.safeParse(row.body);
      const conversationId = hook.success ? await store.conversationOf(row.account_id, hook.data.message.conversation.client_id ?? '') : undefined;
      if (!conversationId) await store.replies.done(db, [row.kommo_msgid], { note: reason });
      else
        await store.refuseReply({ accountId: row.account_id, conversationId, messageId: row.message_id, kommoMsgid: row.kommo_msgid, reason, at: clock.now() });
      logger.error({ kommoMsgid: row.kommo_msgid, error }, 'answer from Kommo’s chat given up');
      return true;
    } catch (err) {
      logger.warn({ err, kommoMsgid: row.kommo_msgid }, 'answer from Kommo’s chat not given up yet');
      return false;
    }
  }

  async function sendReply(row: ReplyRow) {
    const hook = ChannelHook.parse(row.body);
    const conversationId = await store.conversationOf(row.account_id, hook.message.conversation.client_id ?? '');
    if (!conversationId) return store.replies.done(db, [row.kommo_msgid], { note: 'the chat is not one of this account’s conversations' });
    const refuse = (reason: string) =>
      store.refuseReply({ accountId: row.account_id, conversationId, messageId: row.message_id, kommoMsgid: row.kommo_msgid, reason, at: clock.now() });
    const begun = await store.replyMessage(row.message_id);
    if (begun) {
      // A send of this answer began before: once WhatsApp took it (or refused it) it is done. Cut
      // off before WhatsApp answered, it is not sent again (it may have gone out): failed, said so.
      if (begun.status === 'queued' && !begun.wamid)
        await store.failInterrupted(
          row.message_id,
          'Interrupted before WhatsApp answered; not sent again to avoid a duplicate. Send it again if the customer did not get it.',
          clock.now(),
        );
      return store.replies.done(db, [row.kommo_msgid]);
    }
    const text = hook.message.message.type === 'text' ? (hook.message.message.text ?? '').trim() : '';
    if (!text) return refuse('Only text answers from Kommo’s chat are sent to WhatsApp; send files from the Wabridge panel.');
    const user = await senderOf(row.account_id, hook.message.sender.id);
    // Who sends is Kommo's word, never the hook's alone (SPEC §9): a sender Kommo does not know as a user of the account sends nothing.
    if (!user) return refuse('Wabridge could not find your user in this Kommo account; the message was not sent to WhatsApp.');
    // A user the admin has not enabled may not send through Wabridge from Kommo's chat either (SPEC §9).
    if (!user.enabled) return refuse('Your administrator has not enabled Wabridge for your user; the message was not sent to WhatsApp.');
    try {
      await deps.chat.send(row.account_id, user.userId, { conversationId }, { type: 'text', text }, { messageId: row.message_id });
    } catch (err) {
      if (!isAppError(err)) throw err;
      // The relay said no (window closed, allowance used up, WhatsApp refused): Kommo's chat shows why.
      return refuse(err.message);
    }
    await store.replies.done(db, [row.kommo_msgid]);
  }

  return {
    configured: Boolean(deps.channel),
    drain,
    kick,
    store,
    async view(accountId: string) {
      const row = await store.channel(accountId);
      return { available: Boolean(deps.channel), enabled: Boolean(row?.enabled), state: row?.state ?? 'off', lastError: row?.last_error ?? null };
    },
    async setEnabled(accountId: string, enabled: boolean, by: number) {
      await store.setSwitch(accountId, enabled, clock.now(), by);
      await recordAudit(deps.db, { accountId, actor: `user:${by}`, action: 'kommo_channel.switched', details: { enabled }, at: clock.now() });
      kick();
    },
    /** After an install or reinstall (in its transaction): a channel switched on connects again. */
    onInstalled: (tx: Queryable, accountId: string) => store.reconnectOnInstall(tx, accountId, clock.now()),
    /** On uninstall (in its transaction): the channel disconnects. */
    onUninstalled: (tx: Queryable, accountId: string) => store.disconnectOnUninstall(tx, accountId, clock.now()),
    /**
     * Kommo's outgoing hook: checked (X-Signature over the raw body), stored, then acknowledged.
     * Kommo sends it once and never again, so nothing is acted on before it is kept; a repeat is
     * stored once. A hook whose amojo account is not the scope's is refused (404, logged). Returns
     * the HTTP status to answer.
     */
    async receiveHook(scopeId: string, raw: Buffer, signature: string | undefined): Promise<number> {
      if (!deps.channel || !hookSignatureValid(raw, signature, deps.channel.secret)) return 401;
      let hook: ChannelHook;
      try {
        hook = ChannelHook.parse(JSON.parse(raw.toString('utf8')));
      } catch {
        return 400;
      }
      const scope = await store.accountOfScope(scopeId);
      if (!scope) return 404;
      // The scope is one account's: a hook naming another amojo account is not that account's answer (decision 035).
      if (scope.amojoAccountId !== hook.account_id) {
        logger.warn(
          { scopeId, accountId: scope.accountId, hookAccount: hook.account_id },
          'Kommo channel hook refused: its account is not the one this scope was connected for',
        );
        return 404;
      }
      const accountId = scope.accountId;
      const stored = await store.storeReply({
        kommoMsgid: hook.message.message.id,
        accountId,
        messageId: deps.ids(),
        chatId: hook.message.conversation.client_id ?? null,
        body: hook,
        at: clock.now(),
      });
      if (stored) kick();
      return 200;
    },
  };
}
export type KommoChannel = ReturnType<typeof createKommoChannel>;
