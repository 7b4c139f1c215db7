import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import axios from 'axios';
import express, { Router, type Request } from 'express';

/**
 * Kommo's Chats API (amojo, `https://amojo.kommo.com`) as a fake: a registered custom channel that
 * accounts connect, message import into the account's chats, pre-created chats linked to contacts,
 * delivery statuses, and the outgoing hook Kommo sends when a manager answers in its own chat.
 * Every request is checked the way amojo checks it (Content-MD5 of the exact bytes, a Date within
 * 15 minutes, X-Signature = HMAC-SHA1 over method, MD5, content type, date and path).
 */
export interface FakeAmojoOptions {
  channelId: string;
  channelSecret: string;
  botId: string;
  /** Our hook (`https://…/kommo/channel`); Kommo appends `/{scope_id}`. */
  hookUrl?: string;
  now: () => Date;
}

export interface AmojoChat {
  id: string;
  scopeId: string;
  /** Our id of the conversation (`conversation_id` in every import). */
  conversationId: string;
  /** The customer: our id for them and their phone. */
  user: { id: string; name: string; phone: string; amojoId: string };
  contactId?: number;
}

export interface AmojoMessage {
  msgid: string;
  scopeId: string;
  conversationId: string;
  /** `in`: the customer wrote; `out`: a Kommo user (or the bot) did. */
  direction: 'in' | 'out';
  text: string;
  type: string;
  /** The Kommo user's amojo id (or the bot's) an outgoing message is from. */
  refId?: string;
  silent: boolean;
  /** Written by a manager in Kommo's own chat (then it went to us by the hook). */
  fromKommo: boolean;
  /** 1 delivered, 2 read, -1 failed (amojo's `delivery_status`). */
  deliveryStatus?: number;
  error?: string;
  errorCode?: number;
}

/** What reached the fake: the method, path and headers of each signed request. */
export interface AmojoRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  status: number;
}

const DATE_WINDOW_MS = 15 * 60_000;

export function fakeAmojo(
  options: FakeAmojoOptions,
  lookups: { amojoAccount(amojoId: string): { id: number } | undefined; incomingLead(accountId: number, name: string, phone: string): void },
) {
  const connections = new Map<string, { scopeId: string; title: string; connected: boolean }>();
  const chats = new Map<string, AmojoChat>();
  const messages: AmojoMessage[] = [];
  const requests: AmojoRequest[] = [];
  const hooks: { status: number; body: unknown }[] = [];
  const knobs = {
    /** Every amojo answer waits this long. */
    slowMs: 0,
    /** The next amojo requests fail with these statuses, one each (e.g. [500, 502]). */
    failNext: [] as number[],
    /** Kommo sends the outgoing hook twice (it is not supposed to; we must not send twice). */
    hookTwice: false,
  };

  /** Mounted at `/v2/origin/custom`: the signed path is the whole `originalUrl`. */
  const router = Router();
  const scopeOf = (amojoAccountId: string) => `${options.channelId}_${amojoAccountId}`;
  const connectionOfScope = (scopeId: string) => [...connections.entries()].find(([, c]) => c.scopeId === scopeId && c.connected);

  function headerMap(req: Request) {
    const keep = ['date', 'content-type', 'content-md5', 'x-signature'];
    return Object.fromEntries(
      Object.entries(req.headers)
        .filter(([k]) => keep.includes(k) || k.startsWith('x-'))
        .map(([k, v]) => [k, String(v)]),
    );
  }

  router.use(express.raw({ type: () => true, limit: '1mb' }));
  router.use(async (req, res, next) => {
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const record = (status: number) => requests.push({ method: req.method, path: req.originalUrl, headers: headerMap(req), status });
    const refuse = (status: number, error: string) => {
      record(status);
      res.status(status).json({ error });
    };
    if (knobs.slowMs) await new Promise((r) => setTimeout(r, knobs.slowMs));
    const forced = knobs.failNext.shift();
    if (forced) return refuse(forced, 'Forced by the fake');
    const contentType = req.header('content-type') ?? '';
    const md5 = req.header('content-md5') ?? '';
    const date = req.header('date') ?? '';
    const signature = req.header('x-signature') ?? '';
    if (contentType !== 'application/json') return refuse(400, 'Content-Type must be application/json');
    if (md5 !== createHash('md5').update(raw).digest('hex')) return refuse(400, 'Content-MD5 does not match the body');
    const at = Date.parse(date);
    if (!date || Number.isNaN(at) || Math.abs(options.now().getTime() - at) > DATE_WINDOW_MS) return refuse(401, 'Date is missing or not within 15 minutes');
    const expected = createHmac('sha1', options.channelSecret)
      .update([req.method.toUpperCase(), md5, contentType, date, req.originalUrl].join('\n'))
      .digest('hex');
    const given = Buffer.from(signature, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) return refuse(403, 'Signature is invalid');
    try {
      req.body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      return refuse(400, 'Body is not JSON');
    }
    record(200);
    next();
  });

  // Connect: the channel is switched on in an account; the scope id names the pair from now on.
  router.post('/:channelId/connect', (req, res) => {
    if (req.params.channelId !== options.channelId) return res.status(404).json({ error: 'Channel not found' });
    const amojoAccountId = String(req.body.account_id ?? '');
    if (!lookups.amojoAccount(amojoAccountId)) return res.status(404).json({ error: 'Account not found' });
    if (req.body.hook_api_version !== 'v2') return res.status(400).json({ error: 'hook_api_version must be v2' });
    const connection = { scopeId: scopeOf(amojoAccountId), title: String(req.body.title ?? ''), connected: true };
    connections.set(amojoAccountId, connection);
    res.json({ account_id: amojoAccountId, scope_id: connection.scopeId, title: connection.title, hook_api_version: 'v2', is_time_window_disabled: false });
  });

  router.delete('/:channelId/disconnect', (req, res) => {
    if (req.params.channelId !== options.channelId) return res.status(404).json({ error: 'Channel not found' });
    const connection = connections.get(String(req.body.account_id ?? ''));
    if (connection) connection.connected = false;
    res.status(200).end();
  });

  // A chat created before its first message: linked to a contact, so no incoming lead appears.
  router.post('/:scopeId/chats', (req, res) => {
    if (!connectionOfScope(req.params.scopeId)) return res.status(404).json({ error: 'Scope not connected' });
    const conversationId = String(req.body.conversation_id ?? '');
    const user = req.body.user ?? {};
    if (!conversationId || !user.id) return res.status(400).json({ error: 'conversation_id and user.id are required' });
    const chat = chatFor(req.params.scopeId, conversationId, { id: String(user.id), name: String(user.name ?? ''), phone: String(user.profile?.phone ?? '') });
    res.json({ id: chat.id, user: { id: chat.user.amojoId, client_id: chat.user.id, name: chat.user.name, phone: chat.user.phone } });
  });

  function chatFor(scopeId: string, conversationId: string, user: { id: string; name: string; phone: string }) {
    const key = `${scopeId}|${conversationId}`;
    let chat = chats.get(key);
    if (!chat) {
      chat = { id: randomUUID(), scopeId, conversationId, user: { ...user, amojoId: randomUUID() } };
      chats.set(key, chat);
    }
    return chat;
  }

  router.post('/:scopeId/:msgid/delivery_status', (req, res) => {
    if (!connectionOfScope(req.params.scopeId)) return res.status(404).json({ error: 'Scope not connected' });
    const message = messages.find((m) => m.msgid === req.params.msgid && m.scopeId === req.params.scopeId);
    if (!message) return res.status(404).json({ error: 'Message not found' });
    const status = Number(req.body.delivery_status);
    if (![1, 2, -1].includes(status)) return res.status(400).json({ error: 'delivery_status must be 1, 2 or -1' });
    message.deliveryStatus = status;
    message.error = status === -1 ? String(req.body.error ?? '') : undefined;
    message.errorCode = status === -1 ? Number(req.body.error_code ?? 0) : undefined;
    res.status(200).end();
  });

  // Import: one message into a chat; the msgid makes a repeat harmless.
  router.post('/:scopeId', (req, res) => {
    const found = connectionOfScope(req.params.scopeId);
    if (!found) return res.status(404).json({ error: 'Scope not connected' });
    if (req.body.event_type !== 'new_message') return res.status(400).json({ error: 'Unknown event_type' });
    const p = req.body.payload ?? {};
    const msgid = String(p.msgid ?? '');
    const conversationId = String(p.conversation_id ?? '');
    if (!msgid || !conversationId || !p.sender || !p.message?.type)
      return res.status(400).json({ error: 'msgid, conversation_id, sender and message are required' });
    const outgoing = Boolean(p.sender.ref_id);
    const customer = outgoing ? p.receiver : p.sender;
    if (!customer?.id) return res.status(400).json({ error: 'The customer is missing (sender of an incoming, receiver of an outgoing message)' });
    const first = !messages.some((m) => m.scopeId === req.params.scopeId && m.conversationId === conversationId);
    const chat = chatFor(req.params.scopeId, conversationId, {
      id: String(customer.id),
      name: String(customer.name ?? ''),
      phone: String(customer.profile?.phone ?? ''),
    });
    const account = lookups.amojoAccount(found[0]);
    // Kommo: the first incoming message of a chat no contact holds makes an incoming lead.
    if (!outgoing && first && !chat.contactId && account) lookups.incomingLead(account.id, chat.user.name, chat.user.phone);
    let message = messages.find((m) => m.msgid === msgid && m.scopeId === req.params.scopeId);
    if (!message) {
      message = {
        msgid,
        scopeId: req.params.scopeId,
        conversationId,
        direction: outgoing ? 'out' : 'in',
        type: String(p.message.type),
        text: String(p.message.text ?? ''),
        refId: outgoing ? String(p.sender.ref_id) : undefined,
        silent: Boolean(p.silent),
        fromKommo: false,
      };
      messages.push(message);
    }
    res.json({
      new_message: {
        conversation_id: chat.id,
        sender_id: outgoing ? String(p.sender.ref_id) : chat.user.amojoId,
        receiver_id: outgoing ? chat.user.amojoId : '',
        msgid,
        ref_id: msgid,
      },
    });
  });

  return {
    router,
    connections,
    chats,
    messages,
    requests,
    hooks,
    knobs,
    /** Links a chat to a contact (`POST /api/v4/contacts/chats`). */
    link(chatId: string, contactId: number): boolean {
      const chat = [...chats.values()].find((c) => c.id === chatId);
      if (!chat) return false;
      chat.contactId = contactId;
      return true;
    },
    /** The chat with our conversation, if the channel made one. */
    chatOf(conversationId: string) {
      return [...chats.values()].find((c) => c.conversationId === conversationId);
    },
    /**
     * A manager (`sender`: their amojo id and name) answers in Kommo's chat: the message is in the
     * chat, and Kommo POSTs the v2 outgoing hook to `{hookUrl}/{scope_id}`, signed with the channel
     * secret, once (twice with the `hookTwice` knob), never retried. `badSignature` forges it.
     */
    async managerReplies(conversationId: string, text: string, sender: { amojoId: string; name: string }, opts: { badSignature?: boolean } = {}) {
      const chat = this.chatOf(conversationId);
      if (!chat) throw new Error(`The fake amojo has no chat for conversation ${conversationId}`);
      if (!options.hookUrl) throw new Error('The fake amojo was started without hookUrl');
      const amojoAccountId = [...connections.entries()].find(([, c]) => c.scopeId === chat.scopeId)![0];
      const msgid = randomUUID();
      messages.push({
        msgid,
        scopeId: chat.scopeId,
        conversationId,
        direction: 'out',
        type: 'text',
        text,
        refId: sender.amojoId,
        silent: false,
        fromKommo: true,
      });
      const seconds = Math.floor(options.now().getTime() / 1000);
      const body = JSON.stringify({
        account_id: amojoAccountId,
        time: seconds,
        message: {
          receiver: { id: chat.user.amojoId, client_id: chat.user.id, name: chat.user.name, phone: chat.user.phone },
          sender: { id: sender.amojoId, name: sender.name },
          conversation: { id: chat.id, client_id: conversationId },
          timestamp: seconds,
          msec_timestamp: options.now().getTime(),
          message: { id: msgid, type: 'text', text, markup: null, tag: '', media: '', thumbnail: '', file_name: '', file_size: 0 },
        },
      });
      const signature = createHmac('sha1', opts.badSignature ? 'not-the-channel-secret' : options.channelSecret)
        .update(body)
        .digest('hex');
      const times = knobs.hookTwice ? 2 : 1;
      const statuses: number[] = [];
      for (let i = 0; i < times; i++) {
        const r = await axios
          .post(`${options.hookUrl}/${chat.scopeId}`, body, {
            headers: { 'Content-Type': 'application/json', 'X-Signature': signature },
            timeout: 5000,
            validateStatus: () => true,
          })
          .catch(() => ({ status: 0 }));
        hooks.push({ status: r.status, body: JSON.parse(body) });
        statuses.push(r.status);
      }
      return { msgid, statuses };
    },
  };
}
export type FakeAmojo = ReturnType<typeof fakeAmojo>;
