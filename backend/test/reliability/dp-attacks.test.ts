import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { accountWithAudience, broadcastReady, waIdOf } from '../broadcast-helpers';
import { startTestApp, type TestApp } from '../harness';
import { fingerprint } from './scenario';

/**
 * Attacks on the digital-pipeline hook (issue #15 item 1, SPEC §7). Kommo does not sign these calls
 * and account ids and lead ids are easy to learn: each test plays someone who can POST anything to
 * `/kommo/dp`. Each was seen to fail on the design before stored automations (commit cfbd1e6).
 */
describe('attacks on the digital-pipeline hook', () => {
  let t: TestApp;
  let automationId: string;
  const OTHER = demoKommoAccount({
    id: 31_000_002,
    subdomain: 'other',
    name: 'Other Co',
    users: [{ id: 8_200_001, name: 'Bea', isAdmin: true }],
    contacts: [],
    leads: [],
  });
  // Spent in order: the forged call and the four unknown ones take the address's 5; the replay
  // test's five calls take five of the account's 7.
  const RATE = { perAccount: { perSecond: 1, burst: 7 }, perAddress: { perSecond: 1, burst: 5 } };

  beforeAll(async () => {
    // The fixed clock never refills a bucket: the limits are exact.
    t = await startTestApp('pglite', { accounts: [accountWithAudience(8), OTHER], dpRate: RATE });
    const { auth } = await broadcastReady(t);
    await t.install(OTHER.id);
    const created = await t.http.post(
      '/api/v1/automations',
      { name: 'Order update', template: 'order_update', language: 'en_US', parameters: ['{{contact.first_name}}', '{{lead.name}}'] },
      { headers: auth },
    );
    // Before stored automations there was nothing to create: the calls below then carry settings only.
    automationId = created.status === 201 ? created.data.id : '';
  }, 300_000);
  afterAll(async () => {
    await t.close();
  });

  const now = () => Math.floor(t.clock.now().getTime() / 1000);
  const call = (body: { account?: number; lead: number; status: number; time?: number; settings: Record<string, unknown> }) =>
    t.http.post('/kommo/dp', {
      event: {
        type: 15,
        type_code: 'lead_appeared_in_status',
        data: { id: body.lead, element_type: 2, status_id: body.status, pipeline_id: 77_001 },
        time: body.time ?? now(),
      },
      action: { settings: { widget: { settings: body.settings } } },
      account_id: body.account ?? DEMO_ACCOUNT_ID,
      subdomain: 'demo',
    });
  const run = async () => {
    await t.settle();
    await t.digitalPipeline.processPending();
    await t.settle();
  };
  const templatesTo = (waId: string) => t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.body.to === `+${waId}`);

  it('when a forged call for a lead that is in the stage carries the attacker’s template, text and number, then nothing is sent', async () => {
    // The lead really is in the stage (Kommo moved it; the action there is not ours to read).
    const lead = t.fake.accounts.get(DEMO_ACCOUNT_ID)!.leads.find((l) => l.id === 10_001)!;
    lead.statusId = 555_001;
    const answer = await call({
      lead: 10_001,
      status: 555_001,
      settings: { template: 'order_update', language: 'en_US', parameters: 'Your account is locked: pay at evil.example|now', number: '' },
    });
    expect(answer.status).toBe(200);
    await run();
    expect(templatesTo(waIdOf(1))).toHaveLength(0);
    expect(JSON.stringify(t.fakeWhatsApp.sent)).not.toContain('evil.example');
  });

  it('when a stage entry is replayed with another event time, then the template goes once', async () => {
    const settings = { automation: automationId, template: 'order_update', language: 'en_US', parameters: '{{contact.first_name}}|{{lead.name}}' };
    expect((await t.fake.moveLeadToStage(DEMO_ACCOUNT_ID, 10_002, 555_001, settings))[0]).toBe(200);
    await run();
    for (const shift of [1, 2, 600, -600]) expect((await call({ lead: 10_002, status: 555_001, time: now() + shift, settings })).status).toBe(200);
    await run();
    expect(templatesTo(waIdOf(2))).toHaveLength(1);
  });

  it('when calls name an unknown account, an unknown automation, another account’s automation or none, then every answer is the same', async () => {
    const answers = [
      await call({ account: 42, lead: 10_003, status: 555_001, settings: { automation: automationId, template: 'order_update' } }),
      await call({ account: OTHER.id, lead: 10_003, status: 555_001, settings: { automation: automationId, template: 'order_update' } }),
      await call({ lead: 10_003, status: 555_001, settings: { automation: 'AAAAAAAAAAAAAAAAAAAAAA', template: 'order_update' } }),
      await call({ lead: 10_003, status: 555_001, settings: { template: 'order_update' } }),
    ];
    const shapes = answers.map((a) => JSON.stringify([a.status, a.data]));
    expect(new Set(shapes).size).toBe(1);
  });

  it('when one account’s calls come faster than its rate, then the surplus is refused with 429 and changes nothing; calls naming no automation cannot spend it', async () => {
    // Calls naming no automation of the account are counted per source address: refused, and the account's allowance is untouched.
    for (let i = 0; i < 5; i++) expect((await call({ lead: 10_004, status: 555_001, settings: { automation: 'BBBBBBBBBBBBBBBBBBBBBB' } })).status).toBe(429);
    expect((await call({ lead: 10_005, status: 555_001, settings: { automation: automationId } })).status).toBe(200);
    expect((await call({ lead: 10_006, status: 555_001, settings: { automation: automationId } })).status).toBe(200);
    expect(await t.db.query('select lead_id from dp_runs where lead_id in (10005, 10006)')).toHaveLength(2);
    await run();

    const before = await fingerprint(t);
    const refused = await call({ lead: 10_007, status: 555_001, settings: { automation: automationId } });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(await fingerprint(t)).toBe(before);
  });
});
