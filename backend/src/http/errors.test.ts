import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../../contract/error';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

for (const kind of storeKinds()) {
  describe(`the error contract (${kind})`, () => {
    let t: TestApp;
    let auth: Record<string, string>;
    const users = async () => JSON.stringify(await t.db.query('select * from account_users order by kommo_user_id'));

    beforeEach(async () => {
      t = await startTestApp(kind, { bodyLimit: '8kb' });
      await t.install(DEMO_ACCOUNT_ID);
      ({ auth } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID));
    });
    afterEach(async () => {
      await t.close();
    });

    it('when the body is not valid JSON, then 400 invalid_json in the error shape and nothing changes', async () => {
      const before = await users();
      const response = await t.http.patch('/api/v1/users/8100002', '{"enabled": tru', { headers: { ...auth, 'Content-Type': 'application/json' } });
      expect(response.status).toBe(400);
      expect(ErrorBody.parse(response.data).error.code).toBe('invalid_json');
      expect(await users()).toBe(before);
    });

    it('when the body is larger than the limit, then 413 payload_too_large', async () => {
      const response = await t.http.patch('/api/v1/users/8100001', { enabled: true, padding: 'x'.repeat(20_000) }, { headers: auth });
      expect(response.status).toBe(413);
      expect(ErrorBody.parse(response.data).error.code).toBe('payload_too_large');
    });

    it('when a field has the wrong type or is unknown, then 400 invalid_request naming each field (an unknown key at the key)', async () => {
      const before = await users();
      const response = await t.http.patch('/api/v1/users/8100001', { enabled: 'yes', extra: 1 }, { headers: auth });
      expect(response.status).toBe(400);
      const body = ErrorBody.parse(response.data);
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.issues?.map((i) => i.path).sort()).toEqual(['body.enabled', 'body.extra']);
      expect(await users()).toBe(before);
    });

    it('when fields are too long, not an email, missing or of the wrong type, then each issue carries its problem and limit for the widget to say in its language', async () => {
      const response = await t.http.put(
        '/api/v1/registration',
        { lastName: 'x'.repeat(101), email: 'nope', phone: '+5511912345678', city: 'Lisboa', termsVersion: '2026-11-01', acceptTerms: true },
        { headers: auth },
      );
      expect(response.status).toBe(400);
      const issues = ErrorBody.parse(response.data).error.issues ?? [];
      const at = (path: string) => issues.find((i) => i.path === path);
      expect(at('body.lastName')).toMatchObject({ problem: 'too_big', limit: 100, origin: 'string' });
      expect(at('body.email')).toMatchObject({ problem: 'invalid_format', format: 'email', message: 'must be an email address' });
      expect(at('body.firstName')).toMatchObject({ problem: 'invalid_type', missing: true });
      const settings = await t.http.patch('/api/v1/settings', { autoCreateFromInbound: 'on' }, { headers: auth });
      expect(ErrorBody.parse(settings.data).error.issues?.[0]).toMatchObject({ path: 'body.autoCreateFromInbound', problem: 'invalid_type' });
      expect(ErrorBody.parse(settings.data).error.issues?.[0]?.missing).toBeUndefined();
    });

    it('when a path parameter is not a number, then 400 naming it', async () => {
      const response = await t.http.get('/api/v1/users/abc', { headers: auth });
      expect(response.status).toBe(400);
      expect(ErrorBody.parse(response.data).error.issues?.[0]?.path).toBe('params.userId');
    });

    it('when the path does not exist, then 404 not_found in the error shape', async () => {
      const response = await t.http.get('/nothing-here');
      expect(response.status).toBe(404);
      expect(ErrorBody.parse(response.data).error.code).toBe('not_found');
    });

    it('when something unexpected breaks, then a bare 500 with a request id that is in the logs, and no stack', async () => {
      t.faults.failQueries = true;
      const token = await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      const response = await t.http.post('/api/v1/session', {}, { headers: { 'X-Auth-Token': token, 'X-Request-Id': 'req-broken-1' } });
      expect(response.status).toBe(500);
      expect(response.data).toEqual({ error: { code: 'internal', message: expect.any(String), requestId: 'req-broken-1' } });
      expect(JSON.stringify(response.data)).not.toMatch(/at .*\.ts/);
      expect(t.logs.some((l) => l.level === 50 && l.requestId === 'req-broken-1')).toBe(true);
    });
  });
}
