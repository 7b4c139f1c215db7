import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../../contract/error';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';
import { OPERATOR_TOKEN, startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

/** Every table a refused request could touch: none of them may change. */
const TABLES = [
  'accounts',
  'account_users',
  'licence_periods',
  'registrations',
  'terms_acceptances',
  'terms_versions',
  'account_settings',
  'outages',
  'audit_log',
  'orders',
  'payments',
  'refunds',
  'claims',
  'credit_entries',
  'payment_events',
  'whatsapp_numbers',
  'conversations',
  'messages',
  'whatsapp_inbox',
  'kommo_note_outbox',
];

for (const kind of storeKinds()) {
  describe(`bad input on every route (${kind})`, () => {
    let t: TestApp;
    let admin: Record<string, string>;
    const operator = { Authorization: `Bearer ${OPERATOR_TOKEN}` };
    const snapshot = async () => JSON.stringify(await Promise.all(TABLES.map((table) => t.db.query(`select * from ${table}`))));

    beforeAll(async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
      ({ auth: admin } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID));
    });
    afterAll(async () => {
      await t.close();
    });

    const cases: [string, () => Promise<{ status: number; data: unknown }>, number][] = [
      ['PUT /api/v1/registration with a number for a name', () => t.http.put('/api/v1/registration', { lastName: 5 }, { headers: admin }), 400],
      ['PUT /api/v1/registration with no body', () => t.http.put('/api/v1/registration', undefined, { headers: admin }), 400],
      ['POST /api/v1/terms/accept without a version', () => t.http.post('/api/v1/terms/accept', {}, { headers: admin }), 400],
      ['POST /api/v1/terms/accept for a version not in effect', () => t.http.post('/api/v1/terms/accept', { version: 'nope' }, { headers: admin }), 400],
      ['POST /api/v1/consent/withdraw with confirm "yes"', () => t.http.post('/api/v1/consent/withdraw', { confirm: 'yes' }, { headers: admin }), 400],
      ['PATCH /api/v1/settings with a string flag', () => t.http.patch('/api/v1/settings', { autoCreateFromInbound: 'on' }, { headers: admin }), 400],
      ['PATCH /api/v1/settings with an unknown setting', () => t.http.patch('/api/v1/settings', { theme: 'dark' }, { headers: admin }), 400],
      [
        'GET /api/v1/licence/upgrade-quote for an unknown plan',
        () => t.http.get('/api/v1/licence/upgrade-quote', { params: { plan: 'gold', currency: 'USD' }, headers: admin }),
        400,
      ],
      [
        'GET /api/v1/licence/upgrade-quote in roubles',
        () => t.http.get('/api/v1/licence/upgrade-quote', { params: { plan: 'pro', currency: 'RUB' }, headers: admin }),
        400,
      ],
      [
        'GET /api/v1/licence/upgrade-quote while on the demo',
        () => t.http.get('/api/v1/licence/upgrade-quote', { params: { plan: 'pro', currency: 'USD' }, headers: admin }),
        409,
      ],
      [
        'POST /api/v1/session with a Kommo plan name of 1000 characters',
        async () =>
          t.http.post(
            '/api/v1/session',
            { kommoPlan: { name: 'x'.repeat(1000) } },
            { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID) } },
          ),
        400,
      ],
      [
        'POST /operator/outages ending before it starts',
        () => t.http.post('/operator/outages', { startsAt: '2026-11-22T00:00:00Z', endsAt: '2026-11-21T00:00:00Z' }, { headers: operator }),
        400,
      ],
      [
        'POST /operator/outages with a date that is not one',
        () => t.http.post('/operator/outages', { startsAt: 'yesterday', endsAt: '2026-11-21T00:00:00Z' }, { headers: operator }),
        400,
      ],
      [
        'POST /operator/terms with a version that has spaces',
        () => t.http.post('/operator/terms', { version: 'v 2', title: 'T', body: 'B' }, { headers: operator }),
        400,
      ],
      [
        'POST /operator/terms for a version that exists',
        () => t.http.post('/operator/terms', { version: '2026-11-01', title: 'T', body: 'B' }, { headers: operator }),
        409,
      ],
      [
        'GET /api/v1/orders/quote without a plan',
        () => t.http.get('/api/v1/orders/quote', { params: { action: 'buy', currency: 'USD' }, headers: admin }),
        400,
      ],
      [
        'POST /api/v1/orders paying by cheque',
        () => t.http.post('/api/v1/orders', { action: 'buy', plan: 'user', currency: 'USD', method: 'cheque' }, { headers: admin }),
        400,
      ],
      [
        'POST /api/v1/orders with a price from the browser',
        () => t.http.post('/api/v1/orders', { action: 'buy', plan: 'user', currency: 'USD', method: 'card', price: 1 }, { headers: admin }),
        400,
      ],
      [
        'POST /api/v1/orders before registering',
        () => t.http.post('/api/v1/orders', { action: 'buy', plan: 'user', currency: 'USD', method: 'card' }, { headers: admin }),
        409,
      ],
      ['GET /api/v1/orders/:orderId that does not exist', () => t.http.get('/api/v1/orders/nope', { headers: admin }), 404],
      ['POST /api/v1/orders/:orderId/claims with a short text', () => t.http.post('/api/v1/orders/nope/claims', { text: 'bad' }, { headers: admin }), 400],
      [
        'POST /api/v1/orders/:orderId/claims with four attachments',
        () =>
          t.http.post(
            '/api/v1/orders/nope/claims',
            { text: 'A long enough complaint.', attachments: Array(4).fill({ name: 'a', contentType: 'text/plain', data: 'aGk=' }) },
            { headers: admin },
          ),
        400,
      ],
      [
        'POST /api/v1/orders/:orderId/checkout for an order that does not exist',
        () => t.http.post('/api/v1/orders/nope/checkout', {}, { headers: admin }),
        404,
      ],
      ['POST /api/v1/orders/:orderId/terminate without confirming', () => t.http.post('/api/v1/orders/nope/terminate', {}, { headers: admin }), 400],
      ['POST /payments/webhook without a signature', () => t.http.post('/payments/webhook', { id: 'evt_1', type: 'charge.succeeded' }), 400],
      [
        'POST /payments/webhook with garbage',
        () => t.http.post('/payments/webhook', 'garbage', { headers: { 'Content-Type': 'text/plain', 'Stripe-Signature': 't=1,v1=00' } }),
        400,
      ],
      [
        'POST /operator/claims/:claimId/answer upheld without a resolution',
        () => t.http.post('/operator/claims/nope/answer', { decision: 'upheld', answer: 'ok' }, { headers: operator }),
        400,
      ],
      [
        'POST /operator/claims/:claimId/answer for a claim that does not exist',
        () => t.http.post('/operator/claims/nope/answer', { decision: 'rejected', answer: 'no' }, { headers: operator }),
        404,
      ],
      [
        'POST /operator/orders/:orderId/transfer with a negative amount',
        () =>
          t.http.post(
            '/operator/orders/nope/transfer',
            { amount: -5, currency: 'USD', receivedAt: '2026-11-21T00:00:00Z', reference: 'r' },
            { headers: operator },
          ),
        400,
      ],
      [
        'POST /operator/orders/:orderId/refund for an order that does not exist',
        () => t.http.post('/operator/orders/nope/refund', { amount: 5 }, { headers: operator }),
        404,
      ],
      ['GET /invoices/:orderId/:token forged', () => t.http.get('/invoices/nope/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 404],
      [
        'POST /api/v1/numbers with letters for the phone-number id',
        () => t.http.post('/api/v1/numbers', { phoneNumberId: 'abc', wabaId: '123456', accessToken: 'x'.repeat(30) }, { headers: admin }),
        400,
      ],
      ['POST /api/v1/numbers without a token', () => t.http.post('/api/v1/numbers', { phoneNumberId: '123456', wabaId: '123456' }, { headers: admin }), 400],
      ['DELETE /api/v1/numbers/:numberId that does not exist', () => t.http.delete('/api/v1/numbers/nope', { headers: admin }), 404],
      [
        'POST /api/v1/conversations with a phone that is not one',
        () => t.http.post('/api/v1/conversations', { numberId: 'n', phone: 'call me' }, { headers: admin }),
        400,
      ],
      [
        'POST /api/v1/conversations on a number that does not exist',
        () => t.http.post('/api/v1/conversations', { numberId: 'nope', phone: '+5511912345678' }, { headers: admin }),
        404,
      ],
      [
        'GET /api/v1/conversations/:id/messages with a page of 1000',
        () => t.http.get('/api/v1/conversations/nope/messages', { params: { limit: 1000 }, headers: admin }),
        400,
      ],
      [
        'POST /api/v1/conversations/:id/messages with an empty text',
        () => t.http.post('/api/v1/conversations/nope/messages', { type: 'text', text: '' }, { headers: admin }),
        400,
      ],
      [
        'POST /api/v1/conversations/:id/messages with 5000 characters',
        () => t.http.post('/api/v1/conversations/nope/messages', { type: 'text', text: 'x'.repeat(5000) }, { headers: admin }),
        400,
      ],
      [
        'POST /api/v1/conversations/:id/messages of an unknown type',
        () => t.http.post('/api/v1/conversations/nope/messages', { type: 'hologram' }, { headers: admin }),
        400,
      ],
      [
        'POST /api/v1/conversations/:id/messages to a conversation that does not exist',
        () => t.http.post('/api/v1/conversations/nope/messages', { type: 'text', text: 'hi' }, { headers: admin }),
        404,
      ],
      ['POST /whatsapp/webhook unsigned', () => t.http.post('/whatsapp/webhook', { entry: [] }), 401],
      [
        'GET /whatsapp/webhook with a wrong verify token',
        () => t.http.get('/whatsapp/webhook', { params: { 'hub.mode': 'subscribe', 'hub.verify_token': 'no', 'hub.challenge': '1' } }),
        401,
      ],
      ['GET /kommo/install without a code', () => t.http.get('/kommo/install', { params: { referer: 'acme.kommo.com' } }), 400],
      ['GET /terms/:version that does not exist', () => t.http.get('/terms/1900-01-01'), 404],
    ];

    for (const [what, call, status] of cases) {
      it(`when ${what}, then ${status} in the error shape and nothing changes`, async () => {
        const before = await snapshot();
        const response = await call();
        expect(response.status).toBe(status);
        expect(ErrorBody.safeParse(response.data).success).toBe(true);
        expect(await snapshot()).toBe(before);
      });
    }
  });
}
