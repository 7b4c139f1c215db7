import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, STRIPE_WEBHOOK_SECRET, type TestApp } from '../harness';

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
  const plan = async () => (await t.db.query<{ kommo_plan_name: string | null }>('select kommo_plan_name from accounts where kommo_account_id = $1', [DEMO_ACCOUNT_ID]))[0]!.kommo_plan_name;
  const planAudits = async () => t.db.query<{ actor: string; details: { from: string | null; to: string } }>(`select actor, details from audit_log where action = 'kommo_plan.reported' order by at, id`);

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

  it('when a correctly signed card-provider event is replayed after the 5-minute tolerance, then it is refused and not stored', async () => {
    const stripe = new Stripe('sk_test_unused');
    const post = (raw: string, ageSeconds: number) => {
      const header = stripe.webhooks.generateTestHeaderString({ payload: raw, secret: STRIPE_WEBHOOK_SECRET, timestamp: Math.floor(t.clock.now().getTime() / 1000) - ageSeconds });
      return t.http.post('/payments/webhook', raw, { headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header }, transformRequest: [(d) => d] });
    };
    const event = (id: string) => JSON.stringify({ id, object: 'event', type: 'customer.created', created: Math.floor(t.clock.now().getTime() / 1000), data: { object: { id: 'cus_1', object: 'customer' } } });
    const stored = async (id: string) => (await t.db.query('select 1 from payment_events where id = $1', [id])).length;

    expect((await post(event('evt_four_minutes'), 4 * 60)).status).toBe(200);
    expect(await stored('evt_four_minutes')).toBe(1);
    const replayed = await post(event('evt_six_minutes'), 6 * 60);
    expect(replayed.status).toBe(400);
    expect(replayed.data.error.code).toBe('invalid_signature');
    expect(await stored('evt_six_minutes')).toBe(0);
  });
});
