import { createHmac, randomBytes } from 'node:crypto';
import axios from 'axios';
import express, { type Request, type Response } from 'express';
import { listen } from '../http-server';

/**
 * A fake Stripe: the API endpoints our adapter uses (Checkout Sessions, PaymentIntents, Refunds) in
 * Stripe's wire format (form-encoded requests, JSON objects with `object`, Stripe's error shape), a
 * hosted checkout page with pay / decline / 3-D Secure buttons, and webhooks signed the way Stripe
 * signs them, with knobs to repeat and reorder deliveries. A session expires 24 hours after it is
 * created (Stripe's default) or when expired through the API.
 */
export interface FakeStripeOptions {
  secretKey: string;
  webhookSecret: string;
  /** Where signed events are POSTed (our /payments/webhook). */
  webhookUrl: string;
  now?: () => Date;
}

interface Session {
  id: string;
  amount_total: number;
  currency: string;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  success_url: string;
  cancel_url: string;
  customer_email: string | null;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  payment_intent: string | null;
  pi_metadata: Record<string, string>;
  created: number;
  expires_at: number;
}

interface PaymentIntent {
  id: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
  latest_charge: string;
  status: 'succeeded';
  refunded: number;
}

export type FakeStripe = Awaited<ReturnType<typeof startFakeStripe>>;

const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString('hex')}`;
/** How long a Checkout Session can be paid when no `expires_at` is given. */
const SESSION_LIFETIME_SECONDS = 24 * 3600;

/** Reads Stripe's form encoding (`a[b]=c`) into nested objects, which is all the adapter sends. */
function unflatten(body: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const parts = key.replace(/\]/g, '').split('[');
    let node = out as Record<string, unknown>;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}

export async function startFakeStripe(options: FakeStripeOptions) {
  const now = options.now ?? (() => new Date());
  const sessions = new Map<string, Session>();
  const intents = new Map<string, PaymentIntent>();
  const refunds: { id: string; amount: number; payment_intent: string; charge: string; status: string; metadata: Record<string, string> }[] = [];
  const delivered: { id: string; type: string; status: number }[] = [];
  const knobs = { repeat: 1, reverse: false, hold: false, failApi: false, only: null as string | null };
  const held: { id: string; payload: string }[] = [];

  const app = express();
  app.use(express.urlencoded({ extended: false }));

  function authorised(req: Request, res: Response): boolean {
    if (knobs.failApi) {
      res.status(500).json({ error: { type: 'api_error', message: 'An unknown error occurred' } });
      return false;
    }
    const key = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    if (key === options.secretKey) return true;
    res.status(401).json({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } });
    return false;
  }

  /** The session, expired if its time has passed (Stripe expires them by itself). */
  const current = (sessionId: string): Session | undefined => {
    const s = sessions.get(sessionId);
    if (s?.status === 'open' && now().getTime() / 1000 >= s.expires_at) s.status = 'expired';
    return s;
  };

  const sessionJson = (s: Session, url: string) => ({
    id: s.id,
    object: 'checkout.session',
    amount_total: s.amount_total,
    currency: s.currency,
    client_reference_id: s.client_reference_id,
    customer_email: s.customer_email,
    metadata: s.metadata,
    mode: 'payment',
    payment_intent: s.payment_intent,
    payment_status: s.payment_status,
    status: s.status,
    success_url: s.success_url,
    cancel_url: s.cancel_url,
    created: s.created,
    expires_at: s.expires_at,
    url: s.status === 'open' ? `${url}/checkout/${s.id}` : null,
  });

  const intentJson = (pi: PaymentIntent) => ({
    id: pi.id,
    object: 'payment_intent',
    amount: pi.amount,
    amount_received: pi.amount,
    currency: pi.currency,
    metadata: pi.metadata,
    latest_charge: pi.latest_charge,
    status: pi.status,
  });
  const chargeJson = (pi: PaymentIntent) => ({
    id: pi.latest_charge,
    object: 'charge',
    amount: pi.amount,
    amount_captured: pi.amount,
    amount_refunded: pi.refunded,
    currency: pi.currency,
    paid: true,
    status: 'succeeded',
    refunded: pi.refunded >= pi.amount,
    payment_intent: pi.id,
    metadata: {},
    created: Math.floor(now().getTime() / 1000),
  });

  app.post('/v1/checkout/sessions', (req, res) => {
    if (!authorised(req, res)) return;
    const p = unflatten(req.body) as {
      mode?: string;
      success_url?: string;
      cancel_url?: string;
      client_reference_id?: string;
      customer_email?: string;
      metadata?: Record<string, string>;
      payment_intent_data?: { metadata?: Record<string, string> };
      line_items?: Record<string, { quantity?: string; price_data?: { currency?: string; unit_amount?: string; product_data?: { name?: string } } }>;
    };
    const item = p.line_items?.['0'];
    const amount = Number(item?.price_data?.unit_amount) * Number(item?.quantity ?? 1);
    if (p.mode !== 'payment' || !p.success_url || !item?.price_data?.currency || !Number.isInteger(amount) || amount <= 0) {
      return res.status(400).json({ error: { type: 'invalid_request_error', message: 'Missing required param: line_items[0][price_data].' } });
    }
    const session: Session = {
      id: id('cs'),
      amount_total: amount,
      currency: item.price_data.currency.toLowerCase(),
      client_reference_id: p.client_reference_id ?? null,
      metadata: p.metadata ?? {},
      success_url: p.success_url,
      cancel_url: p.cancel_url ?? p.success_url,
      customer_email: p.customer_email ?? null,
      status: 'open',
      payment_status: 'unpaid',
      payment_intent: null,
      pi_metadata: p.payment_intent_data?.metadata ?? {},
      created: Math.floor(now().getTime() / 1000),
      expires_at: Math.floor(now().getTime() / 1000) + SESSION_LIFETIME_SECONDS,
    };
    sessions.set(session.id, session);
    res.json(sessionJson(session, server.url));
  });

  app.get('/v1/checkout/sessions/:id', (req, res) => {
    if (!authorised(req, res)) return;
    const s = current(String(req.params.id));
    if (!s) return res.status(404).json({ error: { type: 'invalid_request_error', message: 'No such checkout.session' } });
    res.json(sessionJson(s, server.url));
  });

  app.post('/v1/checkout/sessions/:id/expire', (req, res) => {
    if (!authorised(req, res)) return;
    const s = current(String(req.params.id));
    if (!s) return res.status(404).json({ error: { type: 'invalid_request_error', message: 'No such checkout.session' } });
    if (s.status !== 'open') {
      return res.status(400).json({
        error: {
          type: 'invalid_request_error',
          message: `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${s.status}".`,
        },
      });
    }
    s.status = 'expired';
    res.json(sessionJson(s, server.url));
  });

  app.get('/v1/payment_intents/:id', (req, res) => {
    if (!authorised(req, res)) return;
    const pi = intents.get(String(req.params.id));
    if (!pi) return res.status(404).json({ error: { type: 'invalid_request_error', message: 'No such payment_intent' } });
    res.json(intentJson(pi));
  });

  app.post('/v1/refunds', async (req, res) => {
    if (!authorised(req, res)) return;
    const p = unflatten(req.body) as { payment_intent?: string; charge?: string; amount?: string; metadata?: Record<string, string> };
    const pi = [...intents.values()].find((x) => x.id === p.payment_intent || x.latest_charge === p.charge);
    if (!pi) return res.status(400).json({ error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent.' } });
    const amount = p.amount ? Number(p.amount) : pi.amount - pi.refunded;
    if (!Number.isInteger(amount) || amount <= 0 || amount > pi.amount - pi.refunded) {
      return res
        .status(400)
        .json({ error: { type: 'invalid_request_error', code: 'amount_too_large', message: 'Refund amount is greater than unrefunded amount on charge.' } });
    }
    pi.refunded += amount;
    const refund = { id: id('re'), amount, payment_intent: pi.id, charge: pi.latest_charge, status: 'succeeded', metadata: p.metadata ?? {} };
    refunds.push(refund);
    res.json({ object: 'refund', currency: pi.currency, created: Math.floor(now().getTime() / 1000), ...refund });
    await emit([{ type: 'charge.refunded', object: { ...chargeJson(pi), refunds: { object: 'list', data: [{ object: 'refund', ...refund }] } } }]);
  });

  // The hosted checkout page: what the buyer sees in the new tab.
  const page = (title: string, body: string) =>
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title>` +
    `<body style="font:15px system-ui,sans-serif;max-width:420px;margin:3em auto;padding:1.5em;border:1px solid #ddd;border-radius:8px">` +
    `<p style="color:#635bff;font-weight:700">Sandbox checkout · test mode</p>${body}</body></html>`;

  app.get('/checkout/:id', (req, res) => {
    const s = current(String(req.params.id));
    if (!s || s.status !== 'open') return res.status(404).type('html').send(page('Checkout', '<p>This checkout session has expired or was completed.</p>'));
    const amount = new Intl.NumberFormat('en', { style: 'currency', currency: s.currency.toUpperCase() }).format(s.amount_total / 100);
    const card = (label: string, card: string) =>
      `<form method="post" action="/checkout/${s.id}/pay"><input type="hidden" name="card" value="${card}"><button style="width:100%;padding:.7em;margin:.3em 0">${label}</button></form>`;
    res
      .type('html')
      .send(
        page(
          'Pay',
          `<h1 style="font-size:1.3em">Pay ${amount}</h1><p>${s.metadata.description ?? ''}</p>` +
            card('Pay with test card 4242', 'ok') +
            card('Pay with a card that is declined', 'decline') +
            card('Pay with a card that needs 3-D Secure', '3ds') +
            `<p><a href="${s.cancel_url}">Cancel</a></p>`,
        ),
      );
  });

  app.post('/checkout/:id/pay', async (req, res) => {
    const s = current(String(req.params.id));
    if (!s || s.status !== 'open') return res.status(404).type('html').send(page('Checkout', '<p>This checkout session is no longer open.</p>'));
    const card = String(req.body.card);
    if (card === 'decline') {
      return res
        .status(402)
        .type('html')
        .send(page('Declined', `<h1 style="font-size:1.3em">Your card was declined.</h1><p><a href="/checkout/${s.id}">Try another card</a></p>`));
    }
    if (card === '3ds') {
      return res
        .type('html')
        .send(
          page(
            '3-D Secure',
            `<h1 style="font-size:1.3em">3-D Secure authentication</h1><p>Your bank asks you to confirm this payment.</p>` +
              `<form method="post" action="/checkout/${s.id}/pay"><input type="hidden" name="card" value="ok"><button>Complete authentication</button></form>` +
              `<form method="post" action="/checkout/${s.id}/pay"><input type="hidden" name="card" value="3ds-fail"><button>Fail authentication</button></form>`,
          ),
        );
    }
    if (card === '3ds-fail') {
      return res
        .status(402)
        .type('html')
        .send(page('Failed', `<h1 style="font-size:1.3em">Authentication failed.</h1><p><a href="/checkout/${s.id}">Try again</a></p>`));
    }
    await complete(s);
    res.redirect(303, s.success_url.replace('{CHECKOUT_SESSION_ID}', s.id));
  });

  /** The buyer paid: the session completes and Stripe sends its events. */
  async function complete(s: Session) {
    const pi: PaymentIntent = {
      id: id('pi'),
      amount: s.amount_total,
      currency: s.currency,
      metadata: s.pi_metadata,
      latest_charge: id('ch'),
      status: 'succeeded',
      refunded: 0,
    };
    intents.set(pi.id, pi);
    s.status = 'complete';
    s.payment_status = 'paid';
    s.payment_intent = pi.id;
    await emit([
      { type: 'checkout.session.completed', object: sessionJson(s, server.url) },
      { type: 'charge.succeeded', object: chargeJson(pi) },
    ]);
    return pi;
  }

  function sign(payload: string): string {
    const t = Math.floor(now().getTime() / 1000);
    const v1 = createHmac('sha256', options.webhookSecret).update(`${t}.${payload}`).digest('hex');
    return `t=${t},v1=${v1}`;
  }

  async function post(event: { id: string; payload: string }, signature?: string) {
    const response = await axios.post(options.webhookUrl, event.payload, {
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Stripe-Signature': signature ?? sign(event.payload),
        'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      validateStatus: () => true,
      transformRequest: (d) => d,
    });
    delivered.push({ id: event.id, type: JSON.parse(event.payload).type, status: response.status });
    return response.status;
  }

  async function emit(events: { type: string; object: unknown }[]) {
    const built = events.map(({ type, object }) => {
      const eventId = id('evt');
      const payload = JSON.stringify(
        { id: eventId, object: 'event', api_version: '2025-01-27', created: Math.floor(now().getTime() / 1000), type, livemode: false, data: { object } },
        null,
        2,
      );
      return { id: eventId, payload };
    });
    const chosen = knobs.only ? built.filter((e) => JSON.parse(e.payload).type === knobs.only) : built;
    const order = knobs.reverse ? [...chosen].reverse() : chosen;
    if (knobs.hold) {
      held.push(...order);
      return;
    }
    for (let round = 0; round < knobs.repeat; round++) {
      for (const event of order) {
        // Stripe retries a delivery that was not acknowledged; here, at once, a few times.
        for (let attempt = 0; attempt < 3 && (await post(event)) >= 300; attempt++);
      }
    }
  }

  const server = await listen(app);

  return {
    url: server.url,
    close: server.close,
    sessions,
    intents,
    refunds,
    delivered,
    knobs,
    /** What the buyer does on the hosted page, without a browser. */
    async pay(sessionId: string) {
      const s = current(sessionId);
      if (!s || s.status !== 'open') throw new Error(`The fake Stripe has no open session ${sessionId}`);
      return complete(s);
    },
    /** Delivers the events held while `knobs.hold` was on. */
    async releaseHeld() {
      const events = held.splice(0);
      for (let round = 0; round < knobs.repeat; round++) for (const e of events) await post(e);
    },
    /** Sends a payload signed with a wrong secret (for tests of the signature check). */
    async postForged(type: string, object: unknown) {
      const payload = JSON.stringify({ id: id('evt'), object: 'event', created: Math.floor(now().getTime() / 1000), type, data: { object } });
      const t = Math.floor(now().getTime() / 1000);
      const v1 = createHmac('sha256', 'whsec_not_the_secret').update(`${t}.${payload}`).digest('hex');
      return post({ id: 'forged', payload }, `t=${t},v1=${v1}`);
    },
  };
}
