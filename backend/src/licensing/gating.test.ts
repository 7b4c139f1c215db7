import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { normaliseKommoPlan } from './kommo-plan';

// What the host may report, and whether it is Advanced or higher (SPEC §4.5).
const PLAN_NAMES: [string, boolean][] = [
  ['Advanced', true],
  ['advanced', true],
  ['Pro', true],
  ['Enterprise', true],
  ['Kommo trial', true],
  ['trial', true],
  ['Расширенный', true],
  ['Base', false],
  ['base', false],
  ['Start-Up', false],
  ['Micro-business', false],
  ['Базовый', false],
  ['Legacy 2019 Gold', false],
  ['', false],
];
const GATED = ['broadcasts', 'automation', 'auto_create', 'api_keys'] as const;
const ALWAYS = ['chat', 'outbound'] as const;

describe('Kommo plan names', () => {
  it('when a name is unknown, then it is treated as an archived plan', () => {
    expect(normaliseKommoPlan('Legacy 2019 Gold')).toBe('archived');
    expect(normaliseKommoPlan(undefined)).toBe('archived');
    expect(normaliseKommoPlan(' Start-Up ')).toBe('startup');
    expect(normaliseKommoPlan('MICRO_BUSINESS')).toBe('micro_business');
  });
});

for (const kind of storeKinds()) {
  describe(`gating by the Kommo plan, over HTTP (${kind})`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
    });
    afterAll(async () => {
      await t.close();
    });

    /** A session as the loader opens it, reporting the host's plan name. */
    async function sessionOnPlan(name: string) {
      const token = await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      const body = name ? { kommoPlan: { name } } : {};
      const response = await t.http.post('/api/v1/session', body, { headers: { 'X-Auth-Token': token } });
      expect(response.status).toBe(201);
      if (!name) await t.db.query('update accounts set kommo_plan_name = null');
      return { Authorization: `Bearer ${response.data.token}` };
    }

    for (const [name, full] of PLAN_NAMES) {
      it(`when the account is on “${name || 'no plan reported'}”, then gated capabilities are ${full ? 'allowed' : 'refused with the reason'}`, async () => {
        const auth = await sessionOnPlan(name);
        const status = (await t.http.get('/api/v1/licence', { headers: auth })).data;
        expect(status.kommoPlan.full).toBe(full);
        for (const capability of ALWAYS) expect(status.capabilities[capability], capability).toEqual({ allowed: true });
        for (const capability of GATED) {
          if (full) expect(status.capabilities[capability], capability).toEqual({ allowed: true });
          else {
            expect(status.capabilities[capability], capability).toMatchObject({ allowed: false, code: 'kommo_plan_required', action: 'upgrade_kommo' });
            expect(status.capabilities[capability].message).toMatch(/needs Kommo Advanced or higher; this account is on /);
          }
        }
        // The server enforces it on the gated route, not only in the status.
        await t.http.patch('/api/v1/settings', { autoCreateFromInbound: false }, { headers: auth });
        const enable = await t.http.patch('/api/v1/settings', { autoCreateFromInbound: true }, { headers: auth });
        if (full) {
          expect(enable.status).toBe(200);
          expect(enable.data).toEqual({ autoCreateFromInbound: true, replyTasks: false });
        } else {
          expect(enable.status).toBe(403);
          expect(enable.data.error.code).toBe('kommo_plan_required');
          expect((await t.http.get('/api/v1/settings', { headers: auth })).data).toEqual({ autoCreateFromInbound: false, replyTasks: false });
        }
      });
    }

    it('when the Base plan reports its name, then the message names Base', async () => {
      const auth = await sessionOnPlan('Base');
      const status = (await t.http.get('/api/v1/licence', { headers: auth })).data;
      expect(status.capabilities.broadcasts.message).toBe('This needs Kommo Advanced or higher; this account is on Base. Upgrade the Kommo plan to use it.');
    });
  });
}
