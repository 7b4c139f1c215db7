import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { AppError, isAppError, notFound } from '../http/app-error';
import { withJsonMember, type JsonText } from '../http/json-text';
import type { IdGenerator } from '../ids';
import { recordAudit } from '../audit/audit-log';
import { enqueueEvent } from '../kommo/timeline-store';
import { publish } from '../live/live-events';
import type { Db } from '../store/db';
import { isCloudApiError, type CloudApi } from './cloud-api';
import {
  accountCountry as accountCountryOf,
  conversationsWithUnread,
  findConversation,
  findMessage,
  latestInboundConversations,
  listConversations,
  markOptedIn,
  markReadUpTo,
  messageMedia,
  messagePageJson,
  newestInbound,
  openConversation,
  openConversations,
  userName,
} from './conversation-store';
import { conversationView, messageView, type ConversationRow } from './message-views';
import { numberView, type NumbersService } from './numbers-service';
import { requirePhone } from './phone';

/**
 * The conversations read model: conversations per (number, customer) with their unread counts, their
 * history page by page, one message, a media file; and what an agent does to a conversation other
 * than sending (opening it, reading it, recording an opt-in). Sending is `sending.ts`.
 */
export function createConversationReads(deps: { db: Db; clock: Clock; ids: IdGenerator; logger: Logger; cloud: CloudApi; numbers: NumbersService }) {
  const { db, clock } = deps;
  const stamps = { clock, ids: deps.ids };
  const view = (c: ConversationRow) => conversationView(c, clock.now());

  /** The account's conversation; with its unread count only for what shows it (counting is not free in a long conversation). */
  async function find(accountId: string, conversationId: string, withUnread = true): Promise<ConversationRow> {
    const row = await findConversation(db, accountId, conversationId, withUnread);
    if (!row) throw notFound('No such conversation in this account.');
    return row;
  }

  /** The account's country in Kommo: where a phone written without its country code is read. */
  const accountCountry = (accountId: string): Promise<string | null> => accountCountryOf(db, accountId);

  const reads = {
    accountCountry,

    /** The account's conversations, or one phone's (the card's); `narrowTo` a user: only customers they took part with. */
    async list(accountId: string, phone?: string, narrowTo: number | null = null) {
      const waId = phone ? requirePhone(phone, await accountCountry(accountId)) : null;
      const rows = await listConversations(db, accountId, waId, narrowTo);
      return rows.map(view);
    },

    /** The conversation with a phone, however it is written (one customer, one conversation per number); 400 `invalid_phone` for what is not a phone. */
    async open(accountId: string, input: { numberId: string; phone: string }) {
      const waId = requirePhone(input.phone, await accountCountry(accountId));
      const number = await deps.numbers.find(accountId, input.numberId);
      const at = clock.now();
      const id = await openConversation(db, { id: deps.ids(), accountId, numberId: number.id, waId, at });
      return view(await find(accountId, id));
    },

    /**
     * What a card's chat opens with, in one answer (docs/decisions/021): the account's numbers, the
     * conversation on the first number with each phone (opened as `open` does; one per customer, in
     * the phones' order), the phones that are not phones with the reason, and the first
     * conversation's newest page.
     */
    async cardChat(accountId: string, phones: string[], pageSize: number) {
      const numbers = await deps.numbers.list(accountId);
      const number = numbers[0];
      if (!number) return withJsonMember({ numbers: [], conversations: [], refused: [] }, 'page', null);
      const country = phones.length ? await accountCountry(accountId) : null;
      const read = phones.map((phone) => {
        try {
          return { phone, waId: requirePhone(phone, country) };
        } catch (err) {
          if (isAppError(err)) return { phone, error: { code: err.code, message: err.message } };
          throw err;
        }
      });
      const customers = read
        .filter((r): r is { phone: string; waId: string } => 'waId' in r)
        .filter((r, i, all) => all.findIndex((x) => x.waId === r.waId) === i);
      let rows: ConversationRow[] = [];
      if (customers.length) {
        // Every customer's conversation in one statement (each wa_id once: an upsert may touch a row only once).
        const opened = await openConversations(db, {
          accountId,
          numberId: number.id,
          ids: customers.map(() => deps.ids()),
          waIds: customers.map((c) => c.waId),
          at: clock.now(),
        });
        rows = await conversationsWithUnread(db, accountId, opened);
      }
      const conversations = customers.flatMap((c) => {
        const row = rows.find((r) => r.wa_id === c.waId);
        return row ? [{ phone: c.phone, conversation: view(row) }] : [];
      });
      const first = conversations[0]?.conversation;
      // The first page is the store's JSON text, put in the answer as it is.
      return withJsonMember(
        { numbers: numbers.map(numberView), conversations, refused: read.flatMap((r) => ('error' in r ? [{ phone: r.phone, error: r.error }] : [])) },
        'page',
        first ? await reads.messages(accountId, first.id, { limit: pageSize }) : null,
      );
    },

    /** Unread customer messages across the account, and whose came last (the loader's alert). */
    async unread(accountId: string) {
      const rows = await latestInboundConversations(db, accountId);
      const waiting = rows.map(view).filter((c) => c.unread > 0);
      return {
        total: waiting.reduce((sum, c) => sum + c.unread, 0),
        latest: waiting[0] ? { conversationId: waiting[0].id, customerName: waiting[0].customerName, waId: waiting[0].waId } : null,
      };
    },

    /** The file of a media message, in or out, fetched from WhatsApp for an agent of the account. */
    async media(accountId: string, messageId: string) {
      const m = await messageMedia(db, accountId, messageId);
      const mediaId = m?.content.id ?? m?.content.mediaId;
      if (!m || !mediaId) throw notFound('No such media message in this account.');
      const number = await deps.numbers.find(accountId, m.number_id);
      try {
        return await deps.cloud.downloadMedia(mediaId, deps.numbers.token(number));
      } catch (err) {
        if (isCloudApiError(err)) throw new AppError('media_unavailable', 'WhatsApp no longer has this file (media is kept for a limited time).', 410);
        throw err;
      }
    },

    /** An agent opened the conversation: the customer sees blue ticks, and it is no longer unread. */
    async markRead(accountId: string, conversationId: string) {
      const conversation = await find(accountId, conversationId);
      const newest = await newestInbound(db, conversationId);
      if (!newest || Number(conversation.unread ?? 0) === 0) return view(conversation);
      const number = await deps.numbers.find(accountId, conversation.number_id);
      // The receipt is a courtesy to the customer; our own read mark must not wait on it.
      await deps.cloud
        .markRead(number.phone_number_id, deps.numbers.token(number), newest.wamid)
        .catch((err) => deps.logger.warn({ err, conversationId }, 'read receipt not sent'));
      await db.transaction(async (tx) => {
        await markReadUpTo(tx, conversationId, newest.created_at);
        await publish(tx, { accountId, type: 'conversation.updated', conversationId }, stamps);
      });
      return view(await find(accountId, conversationId));
    },

    /** The agent records that the customer agreed to receive broadcasts again. */
    async optIn(accountId: string, userId: number, conversationId: string) {
      await find(accountId, conversationId, false);
      await db.transaction(async (tx) => {
        const changed = await markOptedIn(tx, conversationId, clock.now());
        const name = await userName(tx, accountId, userId);
        if (changed)
          await enqueueEvent(tx, {
            id: deps.ids(),
            accountId,
            conversationId,
            text: `${name ?? 'An agent'} recorded that the customer agreed to receive broadcasts again.`,
            at: clock.now(),
          });
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'customer.opted_in', details: { conversationId }, at: clock.now() });
        await publish(tx, { accountId, type: 'conversation.updated', conversationId }, stamps);
      });
      return view(await find(accountId, conversationId));
    },

    async get(accountId: string, conversationId: string) {
      return view(await find(accountId, conversationId));
    },

    /** Newest first, `limit` at a time; `before` is the id of the oldest message already shown. JSON text of `{ messages, nextBefore }`. */
    async messages(accountId: string, conversationId: string, page: { before?: string; limit: number }): Promise<JsonText> {
      const found = await messagePageJson(db, accountId, conversationId, page.before ?? null, page.limit);
      if (found === null) throw notFound('No such conversation in this account.');
      return found as JsonText;
    },

    /** One message of the account. */
    async message(accountId: string, messageId: string) {
      const m = await findMessage(db, accountId, messageId);
      if (!m) throw notFound('No such message in this account.');
      return messageView(m);
    },
  };
  return reads;
}
export type ConversationReads = ReturnType<typeof createConversationReads>;
