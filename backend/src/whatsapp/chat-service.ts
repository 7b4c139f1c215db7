import type { Logger } from 'pino';
import type { SendMessageInput } from '../../../contract/whatsapp';
import type { Clock } from '../clock';
import { AppError, badRequest, isAppError, notFound } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { LicenceService } from '../licensing/licence-service';
import { recordAudit } from '../audit/audit-log';
import { enqueueEvent, enqueueNote } from '../kommo/timeline-writer';
import { publish } from '../live/live-events';
import type { Db } from '../store/db';
import { isCloudApiError, type CloudApi, type CloudApiError, type OutboundMessage } from './cloud-api';
import { optedOut, optedOutError, tookPartWith } from './conversations';
import type { InboxProcessor } from './inbox-processor';
import { numberView, type NumberRow, type NumbersService } from './numbers-service';
import { requirePhone } from './phone';
import { createPacer, type Pacer } from './pacer';
import { mediaProblem, type MediaKind } from '../../../contract/media-rules';
import type { TemplatesService } from './templates-service';

const WINDOW_MS = 24 * 3600_000;
const MAX_ATTEMPTS = 4;

interface ConversationRow {
  id: string;
  account_id: string;
  number_id: string;
  wa_id: string;
  customer_name: string | null;
  last_inbound_at: Date | null;
  opted_out_at: Date | null;
  last_read_at: Date | null;
  username?: string | null;
  unread?: string | number;
}

interface MessageRow {
  id: string;
  direction: 'in' | 'out';
  type: string;
  content: Record<string, unknown>;
  status: 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
  error_code: number | null;
  error_title: string | null;
  sent_by: string | null;
  sent_by_name: string | null;
  created_at: Date;
  reaction: string | null;
  /** The quoted message of a reply, when it is in the conversation. */
  quoted_id: string | null;
  quoted_direction: 'in' | 'out' | null;
  quoted_type: string | null;
  quoted_content: Record<string, unknown> | null;
}

/** Conversations per (number, customer), their history, and sending under the relay rules (SPEC §5). */
export function createChatService(deps: {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  cloud: CloudApi;
  numbers: NumbersService;
  licences: LicenceService;
  inbox: InboxProcessor;
  pacer: Pacer;
  /** Backoff between retries; tests pass one that does not wait. */
  sleep: (ms: number) => Promise<void>;
  /** Called after a message joined the Kommo timeline queue. */
  onNoteQueued?: () => void;
  templates: TemplatesService;
}) {
  const { db, clock } = deps;
  const pairPacer = createPacer(7);

  function windowClosesAt(c: ConversationRow): Date | null {
    if (!c.last_inbound_at) return null;
    const closes = new Date(new Date(c.last_inbound_at).getTime() + WINDOW_MS);
    return closes > clock.now() ? closes : null;
  }

  const view = (c: ConversationRow) => ({
    id: c.id,
    numberId: c.number_id,
    waId: c.wa_id,
    customerName: c.customer_name,
    windowClosesAt: windowClosesAt(c)?.toISOString() ?? null,
    optedOut: Boolean(c.opted_out_at),
    username: c.username ?? null,
    unread: Number(c.unread ?? 0),
  });

  const messageView = (m: MessageRow) => ({
    id: m.id,
    direction: m.direction,
    type: m.type,
    content: m.content,
    status: m.status,
    error: m.error_code !== null ? { code: m.error_code, title: m.error_title ?? '' } : null,
    sentBy: m.sent_by === null ? null : Number(m.sent_by),
    sentByName: m.sent_by_name,
    createdAt: new Date(m.created_at).toISOString(),
    replyTo: m.quoted_id ? { id: m.quoted_id, direction: m.quoted_direction!, type: m.quoted_type!, content: m.quoted_content ?? {} } : null,
    reaction: m.reaction ?? null,
  });

  // A reply's quoted message, and the sender's name of an agent's message.
  const QUOTED = `left join messages q on q.wamid = m.reply_to and q.conversation_id = m.conversation_id
    left join account_users u on u.account_id = m.account_id and u.kommo_user_id = m.sent_by`;
  const QUOTED_COLUMNS = 'u.name as sent_by_name, q.id as quoted_id, q.direction as quoted_direction, q.type as quoted_type, q.content as quoted_content';

  // The conversation with its count of customer messages newer than the last time someone opened it.
  const WITH_UNREAD = `select c.*, (select count(*) from messages m where m.conversation_id = c.id and m.direction = 'in'
      and m.created_at > coalesce(c.last_read_at, '-infinity'::timestamptz)) as unread from conversations c`;

  /** The account's conversation; with its unread count only for what shows it (counting is not free in a long conversation). */
  async function find(accountId: string, conversationId: string, withUnread = true): Promise<ConversationRow> {
    const [row] = await db.query<ConversationRow>(`${withUnread ? WITH_UNREAD : 'select c.* from conversations c'} where c.id = $1 and c.account_id = $2`, [conversationId, accountId]);
    if (!row) throw notFound('No such conversation in this account.');
    return row;
  }

  /** The account's country in Kommo: where a phone written without its country code is read. */
  async function accountCountry(accountId: string): Promise<string | null> {
    const [account] = await db.query<{ country: string | null }>('select country from accounts where id = $1', [accountId]);
    return account?.country ?? null;
  }

  /** Sends with pacing, retrying only what the Cloud API says may be retried, with growing pauses. */
  async function deliver(phoneNumberId: string, token: string, message: OutboundMessage) {
    for (let attempt = 0; ; attempt++) {
      try {
        // Under the pair rate (45 in 6 s to one customer), then under the number's throughput.
        return await pairPacer.run(`${phoneNumberId}:${message.to}`, () => deps.pacer.run(phoneNumberId, () => deps.cloud.send(phoneNumberId, token, message), { urgent: true }));
      } catch (err) {
        const retry = isCloudApiError(err) && (err.errorClass === 'retryable' || err.errorClass === 'rate_limit') && attempt + 1 < MAX_ATTEMPTS;
        if (!retry) throw err;
        // Meta's advice for the pair rate: wait 4^x seconds; a quarter of that for the others.
        await deps.sleep((err.code === 131056 ? 1000 : 250) * 4 ** attempt);
      }
    }
  }

  return {
    /** The account's conversations, or one phone's (the card's); `narrowTo` a user: only customers they took part with. */
    async list(accountId: string, phone?: string, narrowTo: number | null = null) {
      const waId = phone ? requirePhone(phone, await accountCountry(accountId)) : null;
      const rows = await db.query<ConversationRow>(
        `${WITH_UNREAD} where c.account_id = $1 and ($2::text is null or c.wa_id = $2)
           and ($3::bigint is null or ${tookPartWith('$1', 'c.wa_id', '$3')})
         order by c.updated_at desc limit 200`,
        [accountId, waId, narrowTo],
      );
      return rows.map(view);
    },

    /** The conversation with a phone, however it is written (one customer, one conversation per number); 400 `invalid_phone` for what is not a phone. */
    async open(accountId: string, input: { numberId: string; phone: string }) {
      const waId = requirePhone(input.phone, await accountCountry(accountId));
      const number = await deps.numbers.find(accountId, input.numberId);
      const at = clock.now();
      const [row] = await db.query<ConversationRow>(
        `insert into conversations (id, account_id, number_id, wa_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)
         on conflict (number_id, wa_id) do update set updated_at = conversations.updated_at returning *`,
        [deps.ids(), accountId, number.id, waId, at],
      );
      return view(await find(accountId, row!.id));
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
      if (!number) return { numbers: [], conversations: [], refused: [], page: null };
      const country = phones.length ? await accountCountry(accountId) : null;
      const read = phones.map((phone) => {
        try {
          return { phone, waId: requirePhone(phone, country) };
        } catch (err) {
          if (isAppError(err)) return { phone, error: { code: err.code, message: err.message } };
          throw err;
        }
      });
      const customers = read.filter((r): r is { phone: string; waId: string } => 'waId' in r).filter((r, i, all) => all.findIndex((x) => x.waId === r.waId) === i);
      let rows: ConversationRow[] = [];
      if (customers.length) {
        // Every customer's conversation in one statement (each wa_id once: an upsert may touch a row only once).
        const opened = await db.query<{ id: string }>(
          `insert into conversations (id, account_id, number_id, wa_id, created_at, updated_at)
           select id, $1, $2, wa_id, $5, $5 from unnest($3::text[], $4::text[]) as p(id, wa_id)
           on conflict (number_id, wa_id) do update set updated_at = conversations.updated_at returning id`,
          [accountId, number.id, customers.map(() => deps.ids()), customers.map((c) => c.waId), clock.now()],
        );
        rows = await db.query<ConversationRow>(`${WITH_UNREAD} where c.id = any($1::text[]) and c.account_id = $2`, [opened.map((o) => o.id), accountId]);
      }
      const conversations = customers.flatMap((c) => {
        const row = rows.find((r) => r.wa_id === c.waId);
        return row ? [{ phone: c.phone, conversation: view(row) }] : [];
      });
      const first = conversations[0]?.conversation;
      return {
        numbers: numbers.map(numberView),
        conversations,
        refused: read.flatMap((r) => ('error' in r ? [{ phone: r.phone, error: r.error }] : [])),
        page: first ? await this.messages(accountId, first.id, { limit: pageSize }) : null,
      };
    },

    /** Unread customer messages across the account, and whose came last (the loader's alert). */
    async unread(accountId: string) {
      const rows = await db.query<ConversationRow>(`${WITH_UNREAD} where c.account_id = $1 order by c.last_inbound_at desc nulls last limit 200`, [accountId]);
      const waiting = rows.map(view).filter((c) => c.unread > 0);
      return { total: waiting.reduce((sum, c) => sum + c.unread, 0), latest: waiting[0] ? { conversationId: waiting[0].id, customerName: waiting[0].customerName, waId: waiting[0].waId } : null };
    },

    /** The file of a media message, in or out, fetched from WhatsApp for an agent of the account. */
    async media(accountId: string, messageId: string) {
      const [m] = await db.query<{ content: { id?: string; mediaId?: string; mime_type?: string; mimeType?: string }; number_id: string }>(
        `select m.content, c.number_id from messages m join conversations c on c.id = m.conversation_id where m.id = $1 and m.account_id = $2`,
        [messageId, accountId],
      );
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
      const [newest] = await db.query<{ wamid: string; created_at: Date }>(
        `select wamid, created_at from messages where conversation_id = $1 and direction = 'in' order by created_at desc, seq desc limit 1`,
        [conversationId],
      );
      if (!newest || Number(conversation.unread ?? 0) === 0) return view(conversation);
      const number = await deps.numbers.find(accountId, conversation.number_id);
      // The receipt is a courtesy to the customer; our own read mark must not wait on it.
      await deps.cloud.markRead(number.phone_number_id, deps.numbers.token(number), newest.wamid).catch((err) => deps.logger.warn({ err, conversationId }, 'read receipt not sent'));
      await db.transaction(async (tx) => {
        await tx.query('update conversations set last_read_at = greatest(coalesce(last_read_at, $2), $2) where id = $1', [conversationId, newest.created_at]);
        await publish(tx, { accountId, type: 'conversation.updated', conversationId });
      });
      return view(await find(accountId, conversationId));
    },

    /** The agent records that the customer agreed to receive broadcasts again. */
    async optIn(accountId: string, userId: number, conversationId: string) {
      await find(accountId, conversationId, false);
      await db.transaction(async (tx) => {
        const changed = await tx.query('update conversations set opted_out_at = null, updated_at = $2 where id = $1 and opted_out_at is not null returning id', [conversationId, clock.now()]);
        const [user] = await tx.query<{ name: string | null }>('select name from account_users where account_id = $1 and kommo_user_id = $2', [accountId, userId]);
        if (changed.length) await enqueueEvent(tx, { id: deps.ids(), accountId, conversationId, text: `${user?.name ?? 'An agent'} recorded that the customer agreed to receive broadcasts again.`, at: clock.now() });
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'customer.opted_in', details: { conversationId }, at: clock.now() });
        await publish(tx, { accountId, type: 'conversation.updated', conversationId });
      });
      return view(await find(accountId, conversationId));
    },

    async get(accountId: string, conversationId: string) {
      return view(await find(accountId, conversationId));
    },

    /** Newest first, `limit` at a time; `before` is the id of the oldest message already shown. */
    async messages(accountId: string, conversationId: string, page: { before?: string; limit: number }) {
      // One statement: the conversation must be the account's (no row at all: not found), then its page
      // (a conversation without messages gives one row whose message columns are null).
      const found = await db.query<Partial<MessageRow>>(
        `select m.*, ${QUOTED_COLUMNS} from conversations c
           left join lateral (
             select * from messages
             where conversation_id = c.id
               and ($2::text is null or (created_at, seq) < (select created_at, seq from messages where id = $2 and conversation_id = c.id))
               -- A reaction shows on the message it reacts to; only one to a message not here shows alone.
               and not (type = 'reaction' and exists (select 1 from messages t where t.wamid = messages.content ->> 'message_id' and t.conversation_id = c.id))
             order by created_at desc, seq desc limit $3
           ) m on true
           ${QUOTED}
         where c.id = $1 and c.account_id = $4
         order by m.created_at desc, m.seq desc`,
        [conversationId, page.before ?? null, page.limit + 1, accountId],
      );
      if (!found.length) throw notFound('No such conversation in this account.');
      const rows = found.filter((m): m is MessageRow => m.id != null);
      const more = rows.length > page.limit;
      const shown = rows.slice(0, page.limit);
      return { messages: shown.map(messageView), nextBefore: more ? shown.at(-1)!.id : null };
    },

    /** One message of the account (what a send answers with). */
    async message(accountId: string, messageId: string) {
      const [m] = await db.query<MessageRow>(
        `select m.*, ${QUOTED_COLUMNS} from messages m ${QUOTED} where m.id = $1 and m.account_id = $2`,
        [messageId, accountId],
      );
      if (!m) throw notFound('No such message in this account.');
      return messageView(m);
    },

    async send(
      accountId: string,
      /** The agent who sends; null when an automation does. */
      userId: number | null,
      conversationId: string,
      input:
        | (SendMessageInput & { bodyParameters?: string[] })
        | { type: MediaKind; file: { content: Blob; size: number; mimeType: string; filename: string }; caption?: string }
        | { type: MediaKind; link: string; caption?: string; filename?: string },
      /** Automated template sends (the public API, the digital pipeline) refuse a customer who opted out (SPEC §6); an agent's do not. */
      /** `messageId` fixes the stored message's id in advance (an answer from Kommo's chat, recognised after a crash). */
      options: { refuseOptedOut?: boolean; messageId?: string } = {},
    ) {
      // A file at a public link (the public API): WhatsApp fetches it; nothing is uploaded by us.
      if ('link' in input) return sendOut(accountId, userId, await find(accountId, conversationId, false), input);
      const conversation = await find(accountId, conversationId, false);
      const number = await deps.numbers.find(accountId, conversation.number_id);
      if (input.type !== 'template' && !windowClosesAt(conversation)) {
        throw new AppError('window_closed', 'The 24-hour customer-service window is closed: only an approved template can be sent until the customer writes again.', 409);
      }
      if (!('file' in input) && input.type === 'template') {
        if (options.refuseOptedOut && (await optedOut(db, accountId, conversation.wa_id))) throw optedOutError();
        await deps.templates.check(number, input.name, input.language, input.bodyParameters?.length ?? 0);
      }
      let replyWamid: string | undefined;
      if (!('file' in input) && input.type === 'text' && input.seenUpTo && !input.confirmed) {
        // Someone else answered since this agent started typing: they confirm before sending.
        const [newer] = await db.query<{ name: string | null }>(
          `select u.name from messages m left join account_users u on u.account_id = m.account_id and u.kommo_user_id = m.sent_by
           where m.conversation_id = $1 and m.direction = 'out' and m.sent_by is distinct from $2
             and (m.created_at, m.seq) > (select created_at, seq from messages where id = $3 and conversation_id = $1)
           order by m.created_at desc limit 1`,
          [conversationId, userId, input.seenUpTo],
        );
        if (newer) throw new AppError('someone_replied', `${newer.name ?? 'Another agent'} replied since you started typing. Send anyway?`, 409);
      }
      if (!('file' in input) && input.type === 'text' && input.replyTo) {
        const [quoted] = await db.query<{ wamid: string | null }>('select wamid from messages where id = $1 and conversation_id = $2', [input.replyTo, conversationId]);
        if (!quoted?.wamid) throw badRequest('unknown_reply', 'The message to reply to is not in this conversation.');
        replyWamid = quoted.wamid;
      }
      let media: { id: string; size: number; mimeType: string } | undefined;
      if ('file' in input) {
        const problem = mediaProblem(input.type, input.file.mimeType, input.file.size);
        if (problem) throw new AppError(problem.code, problem.message, problem.code === 'media_too_large' ? 413 : 415);
        const uploaded = await deps.cloud.uploadMedia(number.phone_number_id, deps.numbers.token(number), input.file).catch((err) => {
          if (isCloudApiError(err)) throw new AppError('media_upload_failed', `WhatsApp did not take the file: ${err.title} (code ${err.code}).`, 502);
          throw err;
        });
        media = { id: uploaded.id, size: input.file.size, mimeType: input.file.mimeType };
      }
      const message: OutboundMessage =
        'file' in input
          ? { to: `+${conversation.wa_id}`, type: input.type, media: { id: media!.id, ...(input.caption && input.type !== 'audio' ? { caption: input.caption } : {}), ...(input.type === 'document' ? { filename: input.file.filename } : {}) } }
          : input.type === 'text'
          ? { to: `+${conversation.wa_id}`, type: 'text', text: { body: input.text }, ...(replyWamid ? { context: { message_id: replyWamid } } : {}) }
          : {
              to: `+${conversation.wa_id}`,
              type: 'template',
              template: { name: input.name, language: { code: input.language }, components: input.bodyParameters?.length ? [{ type: 'body', parameters: input.bodyParameters.map((text) => ({ type: 'text', text })) }] : [] },
            };
      const content =
        'file' in input
          ? { mediaId: media!.id, mimeType: media!.mimeType, size: media!.size, filename: input.file.filename, ...(input.caption && input.type !== 'audio' ? { caption: input.caption } : {}) }
          : input.type === 'text'
            ? { body: input.text }
            : { name: input.name, language: input.language, parameters: input.bodyParameters ?? [] };
      return dispatch(accountId, userId, conversation, number, input.type, message, content, replyWamid, options.messageId);
    },
  };

  /** Takes the allowance, stores the message as queued, sends it under the pacing rules, and records the outcome. */
  async function dispatch(accountId: string, userId: number | null, conversation: ConversationRow, number: NumberRow, type: string, message: OutboundMessage, content: Record<string, unknown>, replyWamid?: string, messageId?: string) {
    // The allowance is taken before sending, so two agents can never both send the last message.
    await deps.licences.takeOutbound(accountId);
    const id = messageId ?? deps.ids();
    const at = clock.now();
    await db.transaction(async (tx) => {
      await tx.query(
        `insert into messages (id, account_id, conversation_id, direction, type, content, status, sent_by, reply_to, created_at, status_at)
         values ($1, $2, $3, 'out', $4, $5, 'queued', $6, $7, $8, $8)`,
        [id, accountId, conversation.id, type, JSON.stringify(content), userId, replyWamid ?? null, at],
      );
      await publish(tx, { accountId, type: 'message.created', conversationId: conversation.id, messageId: id });
    });
    try {
      const result = await deliver(number.phone_number_id, deps.numbers.token(number), message);
      await db.transaction(async (tx) => {
        await tx.query('update messages set wamid = $2 where id = $1', [id, result.wamid]);
        await enqueueNote(tx, { messageId: id, accountId, at: clock.now() });
        await deps.inbox.applyEarlyStatuses(tx, result.wamid);
        await tx.query('update conversations set updated_at = $2 where id = $1', [conversation.id, clock.now()]);
      });
      deps.onNoteQueued?.();
    } catch (err) {
      if (!isCloudApiError(err)) throw err;
      await failed(id, accountId, err);
      if (err.errorClass === 'window_closed') throw new AppError('window_closed', 'WhatsApp refused the message: the 24-hour window is closed. Use an approved template.', 409);
      if (err.errorClass === 'auth') throw new AppError('number_token_invalid', 'Meta refused this number’s access token. An admin must reconnect the number.', 502);
      throw new AppError('send_failed', `WhatsApp refused the message: ${err.title} (code ${err.code}).`, 502);
    }
    return id;
  }

  /** A media message by public link (the public API): the window rules apply as for any free-form message. */
  async function sendOut(accountId: string, userId: number | null, conversation: ConversationRow, input: { type: MediaKind; link: string; caption?: string; filename?: string }) {
    if (!windowClosesAt(conversation)) {
      throw new AppError('window_closed', 'The 24-hour customer-service window is closed: only an approved template can be sent until the customer writes again.', 409);
    }
    const number = await deps.numbers.find(accountId, conversation.number_id);
    const caption = input.caption && input.type !== 'audio' ? { caption: input.caption } : {};
    const filename = input.type === 'document' && input.filename ? { filename: input.filename } : {};
    const message: OutboundMessage = { to: `+${conversation.wa_id}`, type: input.type, media: { link: input.link, ...caption, ...filename } };
    return dispatch(accountId, userId, conversation, number, input.type, message, { link: input.link, ...caption, ...filename });
  }

  /** A message WhatsApp never accepted: failed, with the reason, and not counted against the allowance. */
  async function failed(id: string, accountId: string, err: CloudApiError) {
    await db.transaction(async (tx) => {
      const [m] = await tx.query<{ conversation_id: string }>(`update messages set status = 'failed', error_code = $2, error_title = $3, status_at = $4 where id = $1 returning conversation_id`, [id, err.code, err.title, clock.now()]);
      await enqueueEvent(tx, { id: deps.ids(), accountId, conversationId: m!.conversation_id, text: `WhatsApp refused a message — ${err.details ? `${err.title}: ${err.details}` : err.title} (code ${err.code}).`, at: clock.now() });
      await publish(tx, { accountId, type: 'message.status', conversationId: m!.conversation_id, messageId: id });
    });
    await deps.licences.returnOutbound(accountId);
    deps.logger.info({ messageId: id, code: err.code }, 'message refused by the Cloud API');
  }
}
export type ChatService = ReturnType<typeof createChatService>;
