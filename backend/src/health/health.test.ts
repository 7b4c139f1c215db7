import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

for (const kind of storeKinds()) {
  describe(`health, readiness and metrics (${kind})`, () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await startTestApp(kind);
    });
    afterEach(async () => {
      await t.close();
    });

    it('when the service runs, then /health answers ok', async () => {
      const response = await t.http.get('/health');
      expect(response.status).toBe(200);
      expect(response.data).toEqual({ status: 'ok' });
    });

    it('when the store is reachable and migrated, then /ready is 200; when a migration is missing, 503', async () => {
      expect((await t.http.get('/ready')).data).toEqual({ status: 'ready', checks: { store: true, migrations: true } });
      await t.db.query('delete from schema_migrations where version = 1');
      const response = await t.http.get('/ready');
      expect(response.status).toBe(503);
      expect(response.data.checks).toEqual({ store: true, migrations: false });
    });

    it('when requests were served, then /metrics counts them by route pattern', async () => {
      await t.http.get('/health');
      await t.http.get('/api/v1/users/123');
      const response = await t.http.get('/metrics');
      expect(response.status).toBe(200);
      expect(response.data).toMatch(/http_requests_total\{method="GET",route="\/health",status="200"\} 1/);
      expect(response.data).not.toContain('/users/123');
    });

    it('when a Kommo account page calls the API, then CORS allows it; another origin is not allowed', async () => {
      const allowed = await t.http.options('/api/v1/session', {
        headers: { Origin: 'https://acme.kommo.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-auth-token,content-type' },
      });
      expect(allowed.headers['access-control-allow-origin']).toBe('https://acme.kommo.com');
      expect(allowed.headers['access-control-allow-headers']).toMatch(/X-Auth-Token/i);
      for (const origin of ['https://acme.amocrm.ru', 'https://acme.amocrm.com', t.url]) {
        const r = await t.http.get('/health', { headers: { Origin: origin } });
        expect(r.headers['access-control-allow-origin']).toBe(origin);
      }
      for (const origin of ['https://evil.example', 'https://kommo.com.evil.example', 'http://acme.kommo.com']) {
        const r = await t.http.get('/health', { headers: { Origin: origin } });
        expect(r.headers['access-control-allow-origin']).toBeUndefined();
      }
    });

    it('when the widget page is served, then only Kommo pages and ours may frame it', async () => {
      const response = await t.http.get('/widget/app.html');
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'self' https://*.kommo.com https://*.amocrm.com https://*.amocrm.ru");
      expect(response.headers['x-frame-options']).toBeUndefined();
    });

    it('when the loader asks for Kommo’s dark theme, then the widget page starts dark; anything else is light', async () => {
      expect((await t.http.get('/widget/app.html?lang=es&theme=dark')).data).toContain('<html lang="es" data-theme="dark">');
      expect((await t.http.get('/widget/app.html?theme=%22%3E%3Cscript%3E')).data).toContain('<html lang="en" data-theme="light">');
    });
  });
}
