import { request as httpRequest, type ClientRequest } from 'node:http';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, STRIPE_WEBHOOK_SECRET, type TestApp } from '../harness';
import { chatReady } from '../whatsapp-helpers';

/**
 * Attacks on the trust the server gives the browser and the hooks (SPEC §7, §9): each test plays the
 * attacker and checks the defence holds. Each was seen to fail with its defence removed.
 */
describe('attacks on what the server trusts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    await t.install(DEMO_ACCOUNT_ID);
  });
  afterAll(async () => {
    await t.close();
  });

  const openSession = async (userId: number, body: unknown) =>
    t.http.post('/api/v1/session', body, { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, userId) } });
  const plan = async () =>
    (await t.db.query<{ kommo_plan_name: string | null }>('select kommo_plan_name from accounts where kommo_account_id = $1', [DEMO_ACCOUNT_ID]))[0]!
      .kommo_plan_name;
  const planAudits = async () =>
    t.db.query<{ actor: string; details: { from: string | null; to: string } }>(
      `select actor, details from audit_log where action = 'kommo_plan.reported' order by at, id`,
    );

  it('when an agent’s browser reports a Kommo plan, then the account’s plan does not change; an admin’s report does and is audited', async () => {
    expect((await openSession(DEMO_ADMIN_ID, { kommoPlan: { name: 'Base' } })).status).toBe(201);
    expect(await plan()).toBe('Base');

    // The agent signs in as usual, but the plan they claim is not taken: broadcasts stay off.
    expect((await openSession(DEMO_AGENT_ID, { kommoPlan: { name: 'Enterprise' } })).status).toBe(201);
    expect(await plan()).toBe('Base');
    // And the other way: an agent cannot switch the account's features off either.
    expect((await openSession(DEMO_ADMIN_ID, { kommoPlan: { name: 'Advanced' } })).status).toBe(201);
    expect((await openSession(DEMO_AGENT_ID, { kommoPlan: { name: 'Base' } })).status).toBe(201);
    expect(await plan()).toBe('Advanced');

    // Each change an admin reported is in the audit log, once; the same report again is no change.
    expect((await openSession(DEMO_ADMIN_ID, { kommoPlan: { name: 'Advanced' } })).status).toBe(201);
    expect((await planAudits()).map((a) => [a.actor, a.details.from, a.details.to])).toEqual([
      [`user:${DEMO_ADMIN_ID}`, null, 'Base'],
      [`user:${DEMO_ADMIN_ID}`, 'Base', 'Advanced'],
    ]);
  });

  /** Starts an upload that declares `size` bytes and sends only the first few; answers when the server does. */
  function upload(conversationId: string, auth: Record<string, string>, kind: string, type: string, size: number) {
    const url = new URL(`/api/v1/conversations/${conversationId}/media?kind=${kind}`, t.url);
    let req!: ClientRequest;
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req = httpRequest(url, { method: 'POST', headers: { ...auth, 'Content-Type': type, 'Content-Length': String(size) } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    req.write(Buffer.alloc(Math.min(size, 1024), 1));
    return { answered, req };
  }

  it('when an upload declares more than its kind allows, then it is refused before it is read; an account has at most 3 uploads in flight', async () => {
    const { auth, conversation } = await chatReady(t, { customerWrites: true });
    // 6 MB declared as an image (WhatsApp takes 5 MB): refused at once, with 1 KB of it sent.
    const big = upload(conversation.id, auth, 'image', 'image/png', 6 * 1024 * 1024);
    const refused = await big.answered;
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body).error.code).toBe('media_too_large');
    big.req.destroy();

    // Three documents still uploading hold the account's room; a fourth is refused until one ends.
    const slow = [0, 1, 2].map(() => upload(conversation.id, auth, 'document', 'application/pdf', 50 * 1024 * 1024));
    await new Promise((r) => setTimeout(r, 500));
    const fourth = upload(conversation.id, auth, 'document', 'application/pdf', 10 * 1024);
    const busy = await fourth.answered;
    expect(busy.status).toBe(429);
    expect(JSON.parse(busy.body).error.code).toBe('too_many_uploads');
    fourth.req.destroy();
    for (const s of slow) s.req.destroy();
    await Promise.allSettled(slow.map((s) => s.answered));
    await new Promise((r) => setTimeout(r, 200));
    // Their room is given back when they end.
    const after = upload(conversation.id, auth, 'image', 'image/png', 1024);
    after.req.end();
    expect((await after.answered).status).not.toBe(429);
  });

  it('when a correctly signed card-provider event is replayed after the 5-minute tolerance, then it is refused and not stored', async () => {
    const stripe = new Stripe('sk_test_unused');
    const post = (raw: string, ageSeconds: number) => {
      const header = stripe.webhooks.generateTestHeaderString({
        payload: raw,
        secret: STRIPE_WEBHOOK_SECRET,
        timestamp: Math.floor(t.clock.now().getTime() / 1000) - ageSeconds,
      });
      return t.http.post('/payments/webhook', raw, {
        headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header },
        transformRequest: [(d) => d],
      });
    };
    const event = (id: string) =>
      JSON.stringify({
        id,
        object: 'event',
        type: 'customer.created',
        created: Math.floor(t.clock.now().getTime() / 1000),
        data: { object: { id: 'cus_1', object: 'customer' } },
      });
    const stored = async (id: string) => (await t.db.query('select 1 from payment_events where id = $1', [id])).length;

    expect((await post(event('evt_four_minutes'), 4 * 60)).status).toBe(200);
    expect(await stored('evt_four_minutes')).toBe(1);
    const replayed = await post(event('evt_six_minutes'), 6 * 60);
    expect(replayed.status).toBe(400);
    expect(replayed.data.error.code).toBe('invalid_signature');
    expect(await stored('evt_six_minutes')).toBe(0);
  });
});
