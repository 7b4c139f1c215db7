import { createHmac, randomBytes } from 'node:crypto';
import axios from 'axios';
import express, { type Request, type Response } from 'express';
import { listen } from '../http-server';
import { inbound, messagesEnvelope, metaMessages, templateStatusUpdate, userPreferences } from './meta-examples';

/**
 * A fake WhatsApp Cloud API: a real HTTP server with the send endpoint's success and error shapes,
 * per-number throughput (130429), the per-pair rate (131056), the 24-hour window (131047, sync or
 * by webhook), signed webhooks for statuses and inbound messages with knobs for duplicates,
 * reordering, batching and dropped `delivered`, and simulated customers who answer (the demo).
 */
export interface FakeCloudApiOptions {
  appSecret: string;
  /** Our POST /whatsapp/webhook. */
  webhookUrl: string;
  now?: () => Date;
}

export interface FakeNumber {
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  token: string;
  /** Meta's messaging-limit tier for the number. */
  messagingTier?: string;
}

interface Sent {
  /** Wall-clock arrival (ms), for rate checks. */
  at: number;
  phoneNumberId: string;
  body: Record<string, unknown>;
  wamid: string | null;
  error: number | null;
}

const wamid = () => `wamid.${randomBytes(18).toString('base64url')}`;
const digits = (phone: string) => phone.replace(/\D/g, '');

export type FakeCloudApi = Awaited<ReturnType<typeof startFakeCloudApi>>;

export async function startFakeCloudApi(options: FakeCloudApiOptions) {
  const now = options.now ?? (() => new Date());
  const numbers = new Map<string, FakeNumber>();
  const windows = new Map<string, number>();
  const sent: Sent[] = [];
  const readReceipts: { phoneNumberId: string; messageId: string }[] = [];
  /** Accepted sends per number in the last second (throughput). */
  const accepted = new Map<string, number[]>();
  const pairs = new Map<string, number[]>();
  const deliveries: { status: number; body: unknown }[] = [];
  const knobs = {
    /** Messages per second per number before 130429. */
    throughput: 80,
    /** How an out-of-window free-form send fails: at once, or 200 then a `failed` status. */
    windowFailure: 'sync' as 'sync' | 'async',
    /** How far statuses go after a send. */
    statuses: 'read' as 'none' | 'sent' | 'delivered' | 'read',
    dropDelivered: false,
    duplicates: 1,
    reverse: false,
    /** Send all statuses of a message in one POST. */
    batch: false,
    /** The next sends fail with these codes, one each (e.g. [130429]). */
    failNext: [] as number[],
    /** Simulated customers answer a text after this many ms (the demo); 0 = they do not. */
    autoReplyMs: 0,
    /** How long an unacknowledged webhook is retried (with growing pauses, as Meta does); 0 = three tries at once. */
    retryForMs: 0,
    /** Awaited before a message send is answered (a test's "while Meta was answering"). */
    beforeAnswer: undefined as (() => Promise<void>) | undefined,
  };

  const pending = new Set<Promise<unknown>>();
  /** Webhooks the fake sends after answering a request: tracked so tests can wait for them. */
  const later = (work: Promise<unknown>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  const app = express();
  app.use(express.json({ limit: '5mb' }));

  const graphError = (res: Response, status: number, code: number, title: string, details: string) =>
    res.status(status).json({
      error: {
        message: `(#${code}) ${title}`,
        type: 'OAuthException',
        code,
        error_data: { messaging_product: 'whatsapp', details },
        fbtrace_id: randomBytes(8).toString('hex'),
      },
    });

  function number(req: Request, res: Response): FakeNumber | undefined {
    const n = numbers.get(String(req.params.pnid));
    const token = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    if (!n || token !== n.token) {
      graphError(res, 401, 190, 'Invalid OAuth access token', 'Invalid OAuth access token - Cannot parse access token');
      return undefined;
    }
    return n;
  }

  /** Templates per WABA, as Meta lists them. */
  type FakeTemplate = {
    id?: string;
    name: string;
    language: string;
    status: string;
    category: string;
    components: { type: string; text?: string; format?: string; buttons?: { type: string; text: string }[] }[];
  };
  const templates = new Map<string, FakeTemplate[]>();
  const defaultTemplates = () => [
    {
      name: 'order_update',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Hello {{1}}, your order {{2}} is on its way.' }],
    },
    {
      name: 'come_back',
      language: 'en_US',
      status: 'APPROVED',
      category: 'MARKETING',
      components: [
        { type: 'BODY', text: 'Hi {{1}}! We have news for you. Reply to chat with us.' },
        { type: 'FOOTER', text: 'Reply STOP to unsubscribe' },
      ],
    },
    {
      name: 'pedido_enviado',
      language: 'es',
      status: 'APPROVED',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Hola {{1}}, tu pedido ya salió.' }],
    },
    { name: 'old_promo', language: 'en_US', status: 'PAUSED', category: 'MARKETING', components: [{ type: 'BODY', text: 'Old promo' }] },
    {
      name: 'spring_sale',
      language: 'en_US',
      status: 'APPROVED',
      category: 'MARKETING',
      components: [
        { type: 'HEADER', format: 'IMAGE' },
        { type: 'BODY', text: 'Hi {{1}}, our spring sale starts today: {{2}} off everything.' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'QUICK_REPLY', text: 'Shop now' },
            { type: 'QUICK_REPLY', text: 'Unsubscribe' },
          ],
        },
      ],
    },
  ];
  const templatesOf = (wabaId: string) => {
    if (!templates.has(wabaId))
      templates.set(
        wabaId,
        defaultTemplates().map((t, i) => ({ ...t, id: String(9000 + i) })),
      );
    return templates.get(wabaId)!;
  };

  app.get('/:version/:waba/message_templates', (req, res) => {
    const waba = String(req.params.waba);
    const token = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    if (![...numbers.values()].some((n) => n.wabaId === waba && n.token === token))
      return graphError(res, 401, 190, 'Invalid OAuth access token', 'Invalid OAuth access token');
    res.json({ data: templatesOf(waba).map((t, i) => ({ id: t.id ?? String(9100 + i), ...t })), paging: { cursors: { before: 'MAA', after: 'MjQZD' } } });
  });

  // A WABA's numbers (GET /{waba-id}/phone_numbers). As Meta: an unknown token is 190; a token that
  // cannot read this WABA (none of its numbers) gets code 100, subcode 33 ("does not exist … missing permissions").
  app.get('/:version/:waba/phone_numbers', (req, res) => {
    const waba = String(req.params.waba);
    const token = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    const all = [...numbers.values()];
    if (!all.some((n) => n.token === token))
      return graphError(res, 401, 190, 'Invalid OAuth access token', 'Invalid OAuth access token - Cannot parse access token');
    if (!all.some((n) => n.wabaId === waba && n.token === token)) {
      return res.status(400).json({
        error: {
          message: `Unsupported get request. Object with ID '${waba}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          type: 'GraphMethodException',
          code: 100,
          error_subcode: 33,
          fbtrace_id: randomBytes(8).toString('hex'),
        },
      });
    }
    const data = all
      .filter((n) => n.wabaId === waba)
      .map((n) => ({ id: n.phoneNumberId, display_phone_number: n.displayPhoneNumber, verified_name: n.verifiedName, quality_rating: 'GREEN' }));
    res.json({ data, paging: { cursors: { before: 'QVFIU', after: 'QVFIU' } } });
  });

  /** Media by id: what we uploaded, and what customers sent (with its bytes, to download). */
  const media = new Map<string, { phoneNumberId: string; mimeType: string; size: number; bytes?: Buffer }>();

  // Media URL lookup and download (reference §5): the URL needs the token too.
  app.get('/:version/media-files/:id', (req, res) => {
    const item = media.get(String(req.params.id));
    const token = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    const owner = item ? numbers.get(item.phoneNumberId) : undefined;
    if (!item?.bytes || !owner || token !== owner.token) return res.status(404).end();
    res.type(item.mimeType).send(item.bytes);
  });

  app.post('/:version/:pnid/media', express.raw({ type: () => true, limit: '110mb' }), async (req, res) => {
    const n = number(req, res);
    if (!n) return;
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const type = req.header('content-type') ?? '';
    const form = type.startsWith('multipart/form-data')
      ? await new Response(new Uint8Array(raw), { headers: { 'Content-Type': type } }).formData().catch(() => null)
      : null;
    const file = form?.get('file');
    if (!form || form.get('messaging_product') !== 'whatsapp' || !(file instanceof Blob) || !file.type) {
      return graphError(res, 400, 100, 'Invalid parameter', 'Upload needs multipart file, type and messaging_product=whatsapp.');
    }
    // Meta keeps an uploaded file 30 days and hands it back like a customer's (reference §5).
    const bytes = Buffer.from(await file.arrayBuffer());
    const id = String(1_000_000_000_000 + media.size + 1);
    media.set(id, { phoneNumberId: n.phoneNumberId, mimeType: file.type, size: bytes.length, bytes });
    res.json({ id });
  });

  app.get('/:version/:pnid', (req, res, next) => {
    const item = media.get(String(req.params.pnid));
    if (!item) return next();
    const owner = numbers.get(item.phoneNumberId)!;
    const token = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    if (token !== owner.token) return graphError(res, 401, 190, 'Invalid OAuth access token', 'Invalid OAuth access token');
    res.json({
      messaging_product: 'whatsapp',
      url: `${server.url}/v25.0/media-files/${req.params.pnid}`,
      mime_type: item.mimeType,
      sha256: 'x',
      file_size: item.size,
      id: req.params.pnid,
    });
  });

  app.get('/:version/:pnid', (req, res) => {
    const n = number(req, res);
    if (!n) return;
    res.json({
      id: n.phoneNumberId,
      display_phone_number: n.displayPhoneNumber,
      verified_name: n.verifiedName,
      quality_rating: 'GREEN',
      whatsapp_business_manager_messaging_limit: n.messagingTier ?? 'TIER_10K',
    });
  });

  app.post('/:version/:pnid/messages', async (req, res) => {
    const n = number(req, res);
    if (!n) return;
    await knobs.beforeAnswer?.();
    const body = req.body as Record<string, unknown>;
    const arrived = Date.now();
    const record = (id: string | null, error: number | null) => sent.push({ at: arrived, phoneNumberId: n.phoneNumberId, body, wamid: id, error });
    // Mark-as-read: the blue ticks the customer sees.
    if (body.status === 'read' && typeof body.message_id === 'string') {
      readReceipts.push({ phoneNumberId: n.phoneNumberId, messageId: body.message_id });
      return res.json({ success: true });
    }
    const type = String(body.type);
    const to = digits(String(body.to ?? ''));
    if (
      body.messaging_product !== 'whatsapp' ||
      !to ||
      !['text', 'image', 'video', 'audio', 'document', 'sticker', 'template', 'interactive'].includes(type) ||
      typeof body[type] !== 'object'
    ) {
      record(null, 100);
      return graphError(res, 400, 100, 'Invalid parameter', 'The message body is not valid.');
    }
    const mediaBody = ['image', 'video', 'audio', 'document', 'sticker'].includes(type) ? (body[type] as { id?: string; link?: string }) : undefined;
    if (mediaBody && !mediaBody.link && !(mediaBody.id && media.get(mediaBody.id)?.phoneNumberId === n.phoneNumberId)) {
      record(null, 131053);
      return graphError(res, 400, 131053, 'Media upload error', 'The media id is unknown for this phone number.');
    }
    const forced = knobs.failNext.shift();
    if (forced) {
      record(null, forced);
      return graphError(res, 400, forced, forced === 130429 ? 'Rate limit hit' : 'Error', 'Forced by the fake.');
    }
    const t = Date.now();
    const second = accepted.get(n.phoneNumberId) ?? [];
    while (second.length && second[0]! <= t - 1000) second.shift();
    accepted.set(n.phoneNumberId, second);
    if (second.length >= knobs.throughput) {
      record(null, 130429);
      return graphError(res, 400, 130429, 'Rate limit hit', 'Cloud API message throughput has been reached.');
    }
    const pairKey = `${n.phoneNumberId}:${to}`;
    const recent = (pairs.get(pairKey) ?? []).filter((at) => at > t - 6000);
    if (recent.length >= 45) {
      record(null, 131056);
      return graphError(
        res,
        400,
        131056,
        '(Business Account, Consumer Account) pair rate limit hit',
        'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
      );
    }
    const open = (windows.get(pairKey) ?? 0) > now().getTime() - 24 * 3600_000;
    if (type === 'template') {
      const t = body.template as { name?: string; language?: { code?: string }; components?: { type?: string; parameters?: unknown[] }[] };
      const known = templatesOf(n.wabaId).find((x) => x.name === t.name && x.language === t.language?.code);
      if (!known) {
        record(null, 132001);
        return graphError(
          res,
          404,
          132001,
          'Template name does not exist in the translation',
          `template name (${t.name}) does not exist in ${t.language?.code}`,
        );
      }
      if (known.status !== 'APPROVED') {
        record(null, 132015);
        return graphError(res, 400, 132015, 'Template is paused', `Template ${t.name} is ${known.status.toLowerCase()}.`);
      }
      const expected = Math.max(0, ...[...(known.components.find((c) => c.type === 'BODY')?.text ?? '').matchAll(/\{\{(\d+)\}\}/g)].map((m) => Number(m[1])));
      const given = t.components?.find((c) => c.type === 'body')?.parameters?.length ?? 0;
      if (given !== expected) {
        record(null, 132000);
        return graphError(
          res,
          400,
          132000,
          'Number of parameters does not match the expected number of params',
          `body: number of localizable_params (${given}) does not match the expected number of params (${expected})`,
        );
      }
    }
    if (type !== 'template' && !open && knobs.windowFailure === 'sync') {
      record(null, 131047);
      return graphError(
        res,
        400,
        131047,
        'Re-engagement message',
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      );
    }
    second.push(t);
    recent.push(t);
    pairs.set(pairKey, recent);
    const id = wamid();
    if (typeof body.biz_opaque_callback_data === 'string') callbackData.set(id, body.biz_opaque_callback_data);
    record(id, null);
    res.json({ messaging_product: 'whatsapp', contacts: [{ input: String(body.to), wa_id: to }], messages: [{ id }] });
    if (type !== 'template' && !open) {
      later(statusEvents(n, id, to, ['sent', 'failed'], { code: 131047, title: 'Re-engagement message' }));
      return;
    }
    const chain = (['sent', 'delivered', 'read'] as const).slice(0, ['none', 'sent', 'delivered', 'read'].indexOf(knobs.statuses));
    later(
      statusEvents(
        n,
        id,
        to,
        chain.filter((s) => !(knobs.dropDelivered && s === 'delivered')),
      ),
    );
    if (knobs.autoReplyMs > 0 && type === 'text') {
      setTimeout(
        () => void customerWrites(n.phoneNumberId, to, `Thanks! I got your message: “${String((body.text as { body?: string })?.body ?? '').slice(0, 60)}”`),
        knobs.autoReplyMs,
      ).unref();
    }
  });

  const envelope = (n: FakeNumber, value: Record<string, unknown>) => messagesEnvelope(n, value);

  async function deliver(payload: unknown) {
    const raw = JSON.stringify(payload);
    const signature = 'sha256=' + createHmac('sha256', options.appSecret).update(raw).digest('hex');
    const giveUpAt = Date.now() + knobs.retryForMs;
    for (let attempt = 0; attempt < 3 || Date.now() < giveUpAt; attempt++) {
      if (attempt >= 3) await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** (attempt - 3))));
      const response = await axios
        .post(options.webhookUrl, raw, {
          headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signature },
          validateStatus: () => true,
          transformRequest: (d) => d,
        })
        // Our server down counts as not acknowledged, as at Meta.
        .catch(() => ({ status: 0 }));
      deliveries.push({ status: response.status, body: payload });
      // Meta retries what was not acknowledged; the fake does so at once.
      if (response.status === 200) return;
    }
  }

  /** The `biz_opaque_callback_data` of each accepted message, echoed in its status webhooks. */
  const callbackData = new Map<string, string>();

  async function statusEvents(n: FakeNumber, id: string, to: string, chain: string[], error?: { code: number; title: string }) {
    const ts = () => String(Math.floor(now().getTime() / 1000));
    const items = chain.map((status) => ({
      id,
      status,
      timestamp: ts(),
      recipient_id: to,
      ...(callbackData.has(id) ? { biz_opaque_callback_data: callbackData.get(id) } : {}),
      ...(status === 'failed' && error
        ? {
            errors: [
              {
                code: error.code,
                title: error.title,
                message: error.title,
                error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
              },
            ],
          }
        : {}),
    }));
    const ordered = knobs.reverse ? [...items].reverse() : items;
    for (let copy = 0; copy < knobs.duplicates; copy++) {
      if (knobs.batch) await deliver(envelope(n, { statuses: ordered }));
      else for (const item of ordered) await deliver(envelope(n, { statuses: [item] }));
    }
  }

  /**
   * A customer writes to one of our numbers: the inbound webhook in Meta's shape, and their 24-hour
   * window opens. `hidePhone`: they hide their number behind a username (only their BSUID comes).
   */
  async function customerWrites(
    phoneNumberId: string,
    from: string,
    text: string,
    extra: { name?: string; withoutWaId?: boolean; message?: Record<string, unknown>; userId?: string; username?: string; hidePhone?: boolean } = {},
  ) {
    const n = numbers.get(phoneNumberId);
    if (!n) throw new Error(`The fake Cloud API has no number ${phoneNumberId}`);
    const wa = digits(from);
    windows.set(`${phoneNumberId}:${extra.hidePhone ? extra.userId : wa}`, now().getTime());
    const id = wamid();
    const body = inbound(
      n,
      {
        ...(extra.hidePhone ? {} : { waId: wa }),
        ...(extra.userId ? { userId: extra.userId } : {}),
        name: extra.name ?? 'Customer',
        ...(extra.username ? { username: extra.username } : {}),
      },
      { id, timestamp: String(Math.floor(now().getTime() / 1000)), ...(extra.message ?? metaMessages.text(text)) } as Parameters<typeof inbound>[2],
    );
    // Older payloads named the sender in `messages[].from` only.
    if (extra.withoutWaId) delete (body.entry[0]!.changes[0]!.value as unknown as { contacts: { wa_id?: string }[] }).contacts[0]!.wa_id;
    await deliver(body);
    return id;
  }

  /** The newest message we sent the customer (the demo's reply and reaction go to it). */
  const newestWith = (phoneNumberId: string, wa: string): string | null =>
    [...sent].reverse().find((s) => s.phoneNumberId === phoneNumberId && s.wamid && digits(String(s.body.to ?? '')) === wa)?.wamid ?? null;

  const server = await listen(app);

  return {
    url: server.url,
    /** The Graph API base our adapter is given. */
    base: `${server.url}/v25.0`,
    close: server.close,
    numbers,
    sent,
    deliveries,
    knobs,
    templates,
    media,
    readReceipts,
    /** Resolves when every webhook the fake started sending has been answered. */
    async idle() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    addNumber(n: Partial<FakeNumber> = {}): FakeNumber {
      const made: FakeNumber = {
        phoneNumberId: n.phoneNumberId ?? String(100_000_000_000_000 + numbers.size + 1),
        wabaId: n.wabaId ?? '200000000000001',
        displayPhoneNumber: n.displayPhoneNumber ?? '+1 555-010-0' + String(numbers.size + 1).padStart(3, '0'),
        verifiedName: n.verifiedName ?? 'Wabridge Demo',
        token: n.token ?? `EAAG${randomBytes(24).toString('hex')}`,
        ...(n.messagingTier ? { messagingTier: n.messagingTier } : {}),
      };
      numbers.set(made.phoneNumberId, made);
      return made;
    },
    customerWrites,
    /** A customer sends a photo: the media exists at Meta and the inbound webhook carries its id. */
    async customerSendsImage(phoneNumberId: string, from: string, bytes: Buffer, caption?: string, mimeType = 'image/jpeg') {
      const id = String(2_000_000_000_000 + media.size + 1);
      media.set(id, { phoneNumberId, mimeType, size: bytes.length, bytes });
      return customerWrites(phoneNumberId, from, '', {
        message: { type: 'image', image: { id, mime_type: mimeType, sha256: 'x', ...(caption ? { caption } : {}) } },
      });
    },
    /**
     * A customer taps a quick-reply button of the newest template we sent them: Meta's `button`
     * message, replying to that message, with the payload we sent for that button (its text when we
     * sent none). Null when no template we sent them has a button with that text (with any button,
     * when no text is named: then the first is tapped).
     */
    async customerTapsButton(phoneNumberId: string, from: string, buttonText?: string): Promise<string | null> {
      const n = numbers.get(phoneNumberId);
      if (!n) throw new Error(`The fake Cloud API has no number ${phoneNumberId}`);
      const wa = digits(from);
      for (const s of [...sent].reverse()) {
        if (s.phoneNumberId !== phoneNumberId || !s.wamid || s.body.type !== 'template' || digits(String(s.body.to ?? '')) !== wa) continue;
        const t = s.body.template as {
          name?: string;
          language?: { code?: string };
          components?: { type?: string; index?: string; parameters?: { payload?: string }[] }[];
        };
        const known = templatesOf(n.wabaId).find((x) => x.name === t.name && x.language === t.language?.code);
        const buttons = known?.components.find((c) => c.type === 'BUTTONS')?.buttons ?? [];
        const index = buttonText === undefined ? (buttons.length ? 0 : -1) : buttons.findIndex((b) => b.text === buttonText);
        if (index < 0) continue;
        const text = buttons[index]!.text;
        const payload = t.components?.find((c) => c.type === 'button' && c.index === String(index))?.parameters?.[0]?.payload ?? text;
        return customerWrites(phoneNumberId, wa, '', { message: metaMessages.button(n, s.wamid, text, payload) });
      }
      return null;
    },
    /** Meta's `user_preferences` event: the customer stopped (or resumed) marketing messages. */
    async userPreference(phoneNumberId: string, from: string, value: 'stop' | 'resume') {
      await deliver(userPreferences(numbers.get(phoneNumberId)!, digits(from), value, Math.floor(now().getTime() / 1000)));
    },
    /** Meta changes a template's status (PAUSED, DISABLED, APPROVED…) and says so by webhook, as Meta does: by id, the language written "en-US". */
    async templateStatus(wabaId: string, name: string, language: string, event: 'APPROVED' | 'PAUSED' | 'DISABLED' | 'REJECTED', reason = 'NONE') {
      const t = templatesOf(wabaId).find((x) => x.name === name && x.language === language);
      if (t) t.status = event;
      await deliver(templateStatusUpdate(wabaId, { id: t?.id ?? 0, name, language, event, reason, time: Math.floor(now().getTime() / 1000) }));
    },
    /** The customer answers one of our messages by quoting it (the newest we sent them, unless named). */
    async customerReplies(phoneNumberId: string, from: string, text: string, quotedWamid?: string): Promise<string | null> {
      const quoted = quotedWamid ?? newestWith(phoneNumberId, digits(from));
      if (!quoted) return null;
      return customerWrites(phoneNumberId, from, text, { message: metaMessages.reply(text, numbers.get(phoneNumberId)!, quoted) });
    },
    /** The customer reacts with an emoji to one of our messages (the newest we sent them, unless named). */
    async customerReacts(phoneNumberId: string, from: string, emoji: string, reactedWamid?: string): Promise<string | null> {
      const target = reactedWamid ?? newestWith(phoneNumberId, digits(from));
      if (!target) return null;
      return customerWrites(phoneNumberId, from, '', { message: metaMessages.reaction(target, emoji) });
    },
    /** The customer shares a place. */
    async customerSharesLocation(phoneNumberId: string, from: string, place: { latitude: number; longitude: number; name?: string; address?: string }) {
      return customerWrites(phoneNumberId, from, '', { message: metaMessages.location(place.latitude, place.longitude, place.name, place.address) });
    },
    /** Posts a body signed with a wrong secret. */
    async postForged(payload: unknown) {
      const raw = JSON.stringify(payload);
      const response = await axios.post(options.webhookUrl, raw, {
        headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': 'sha256=' + createHmac('sha256', 'wrong').update(raw).digest('hex') },
        validateStatus: () => true,
        transformRequest: (d) => d,
      });
      return response.status;
    },
    /** One webhook carrying statuses of several messages, as Meta batches them. */
    async statusBatch(phoneNumberId: string, items: { id: string; to: string; status: string; error?: { code: number; title: string } }[]) {
      const timestamp = String(Math.floor(now().getTime() / 1000));
      const statuses = items.map((i) => ({
        id: i.id,
        status: i.status,
        timestamp,
        recipient_id: digits(i.to),
        ...(i.error ? { errors: [{ code: i.error.code, title: i.error.title, message: i.error.title }] } : {}),
      }));
      await deliver(envelope(numbers.get(phoneNumberId)!, { statuses }));
    },
    /** Re-sends status events for a message in the given order (late, duplicated, reordered). */
    async statuses(phoneNumberId: string, id: string, to: string, chain: string[]) {
      await statusEvents(numbers.get(phoneNumberId)!, id, digits(to), chain);
    },
  };
}
