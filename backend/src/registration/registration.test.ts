import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID } from '../../../fakes/kommo/fake-kommo-data';
import { OPERATOR_TOKEN, startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

const valid = {
  lastName: 'Souza',
  firstName: 'Dana',
  email: 'dana@example.com',
  phone: '+5511912345678',
  city: 'São Paulo',
  termsVersion: '2026-11-01',
  acceptTerms: true,
};

for (const kind of storeKinds()) {
  describe(`registration and terms (${kind})`, () => {
    let t: TestApp;
    let admin: Record<string, string>;
    const rows = async () => JSON.stringify([await t.db.query('select * from registrations'), await t.db.query('select * from terms_acceptances')]);

    beforeEach(async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
      ({ auth: admin } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID));
    });
    afterEach(async () => {
      await t.close();
    });

    it('when nothing is registered, then a paid order is not allowed yet, and the current terms are shown', async () => {
      const view = (await t.http.get('/api/v1/account-admin', { headers: admin })).data;
      expect(view.registration).toBeNull();
      expect(view.terms).toMatchObject({ current: { version: '2026-11-01' }, acceptedVersion: null, acceptanceRequired: true });
      expect(view.mayOrder).toEqual({ allowed: false, code: 'registration_required', message: expect.any(String) });
      const page = await t.http.get('/terms/2026-11-01');
      expect(page.status).toBe(200);
      expect(page.data).toContain('10th calendar day');
    });

    it('when the admin registers and accepts the terms, then both are stored with the version and time, and audited', async () => {
      const response = await t.http.put('/api/v1/registration', { ...valid, patronymic: '' }, { headers: admin });
      expect(response.status).toBe(200);
      expect(response.data.registration).toEqual({
        lastName: 'Souza',
        firstName: 'Dana',
        patronymic: null,
        email: 'dana@example.com',
        phone: '+5511912345678',
        city: 'São Paulo',
        registeredAt: '2026-11-21T10:00:00.000Z',
      });
      expect(response.data.terms).toMatchObject({ acceptedVersion: '2026-11-01', acceptedAt: '2026-11-21T10:00:00.000Z', acceptanceRequired: false });
      expect(response.data.mayOrder).toEqual({ allowed: true });
      const audit = await t.db.query<{ action: string }>(`select action from audit_log where action = 'registration.saved'`);
      expect(audit).toHaveLength(1);
    });

    const bad: [string, Record<string, unknown>, string][] = [
      ['an email that is not one', { email: 'dana-at-example' }, 'body.email'],
      ['a phone not in E.164', { phone: '11 91234-5678' }, 'body.phone'],
      ['an empty city', { city: '  ' }, 'body.city'],
      ['no last name', { lastName: undefined }, 'body.lastName'],
      ['the terms not ticked', { acceptTerms: false }, 'body.acceptTerms'],
      ['an unknown field', { nickname: 'D' }, 'body.nickname'],
    ];
    for (const [what, change, path] of bad) {
      it(`when the form has ${what}, then 400 names ${path} and nothing is stored`, async () => {
        const before = await rows();
        const response = await t.http.put('/api/v1/registration', { ...valid, ...change }, { headers: admin });
        expect(response.status).toBe(400);
        expect(response.data.error.code).toBe('invalid_request');
        expect(response.data.error.issues.map((i: { path: string }) => i.path)).toContain(path);
        expect(await rows()).toBe(before);
      });
    }

    it('when the form accepts a version that is not in effect, then 400 terms_outdated and nothing is stored', async () => {
      const before = await rows();
      const response = await t.http.put('/api/v1/registration', { ...valid, termsVersion: '1999-01-01' }, { headers: admin });
      expect(response.status).toBe(400);
      expect(response.data.error.code).toBe('terms_outdated');
      expect(await rows()).toBe(before);
    });

    it('when an agent tries to register, then 403 admin_only', async () => {
      const { auth } = await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID);
      const response = await t.http.put('/api/v1/registration', valid, { headers: auth });
      expect(response.status).toBe(403);
      expect(response.data.error.code).toBe('admin_only');
    });

    it('when new terms are published, then they take effect 7 days later and only then must be accepted before the next order', async () => {
      await t.http.put('/api/v1/registration', valid, { headers: admin });
      const published = await t.http.post(
        '/operator/terms',
        { version: '2026-12-01', title: 'Wabridge licence agreement', body: 'New terms.' },
        { headers: { Authorization: `Bearer ${OPERATOR_TOKEN}` } },
      );
      expect(published.status).toBe(201);
      expect(published.data.effectiveAt).toBe('2026-11-28T10:00:00.000Z');

      t.clock.set('2026-11-28T09:59:59Z');
      let view = (await t.http.get('/api/v1/account-admin', { headers: (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth })).data;
      expect(view.terms).toMatchObject({ current: { version: '2026-11-01' }, upcoming: { version: '2026-12-01' }, acceptanceRequired: false });
      expect(view.mayOrder.allowed).toBe(true);

      t.clock.set('2026-11-28T10:00:00Z');
      const auth = (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth;
      view = (await t.http.get('/api/v1/account-admin', { headers: auth })).data;
      expect(view.terms).toMatchObject({ current: { version: '2026-12-01' }, acceptanceRequired: true });
      expect(view.mayOrder).toMatchObject({ allowed: false, code: 'terms_acceptance_required' });
      await expect(t.registrations.assertMayOrder(await t.accountId(DEMO_ACCOUNT_ID))).rejects.toMatchObject({ code: 'terms_acceptance_required' });

      const accepted = await t.http.post('/api/v1/terms/accept', { version: '2026-12-01' }, { headers: auth });
      expect(accepted.status).toBe(200);
      expect(accepted.data.mayOrder).toEqual({ allowed: true });
    });
  });
}
