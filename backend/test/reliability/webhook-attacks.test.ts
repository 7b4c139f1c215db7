import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp, type TestAppOptions } from '../harness';
import { ACCOUNT_B, accountsAB } from './scenario';

/**
 * Outgoing webhooks as an attacker would use them (SPEC §7): to reach our internal network (SSRF,
 * DNS rebinding, reading internal error text back), or to stop every tenant's deliveries with one
 * slow or endless receiver.
 */

/** A raw TCP receiver: counts connections and answers as the test says. */
async function rawReceiver(onSocket: (socket: Socket) => void) {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/hook`,
    connections: () => connections,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
type RawReceiver = Awaited<ReturnType<typeof rawReceiver>>;

/** Answers 200 at once once the request arrived. */
const fast = (socket: Socket) => socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));

describe('attacks through outgoing webhooks', () => {
  let t: TestApp | undefined;
  const receivers: RawReceiver[] = [];
  afterEach(async () => {
    await t?.close();
    t = undefined;
    for (const r of receivers.splice(0)) await r.close();
  });

  async function admin(app: TestApp, kommoAccountId: number, userId: number) {
    await app.install(kommoAccountId);
    const token = await app.fake.mintDisposableToken(kommoAccountId, userId);
    const session = await app.http.post('/api/v1/session', { kommoPlan: { name: 'Advanced' } }, { headers: { 'X-Auth-Token': token } });
    const auth = { Authorization: `Bearer ${session.data.token}` };
    const accountId = await app.accountId(kommoAccountId);
    await app.licences.grantPeriod(accountId, 'user');
    return { auth, accountId };
  }

  async function start(options: TestAppOptions) {
    t = await startTestApp('pglite', { accounts: accountsAB(), ...options });
    return t;
  }

  /** A delivery due now to an endpoint, as an event would leave it. */
  async function due(app: TestApp, endpointId: string, accountId: string) {
    const id = randomUUID();
    const payload = { id, type: 'message.received', createdAt: app.clock.now().toISOString(), data: {} };
    await app.db.query(
      `insert into webhook_deliveries (id, event_id, endpoint_id, account_id, type, payload, created_at, next_attempt_at) values ($1, $1, $2, $3, 'message.received', $4, $5, '-infinity')`,
      [id, endpointId, accountId, JSON.stringify(payload), app.clock.now()],
    );
  }

  const log = async (app: TestApp, auth: Record<string, string>, endpointId: string) =>
    (await app.http.get(`/api/v1/webhooks/${endpointId}/deliveries`, { headers: auth })).data.deliveries as {
      lastError: string | null;
      lastStatus: number | null;
      deliveredAt: string | null;
    }[];

  it('when an admin saves a receiver at an internal address or over http, then it is refused and nothing is stored', async () => {
    const names: Record<string, string[]> = {
      'hooks.example.com': ['93.184.216.34'],
      'internal.example.com': ['93.184.216.34', '192.168.1.10'],
      localhost: ['127.0.0.1', '::1'],
    };
    const app = await start({ webhookTarget: { allowLocal: false, resolve: async (host) => names[host] ?? Promise.reject(new Error('ENOTFOUND')) } });
    const { auth } = await admin(app, DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
    for (const url of [
      'http://hooks.example.com/hook',
      'https://127.0.0.1/hook',
      'https://10.0.0.5:6379/',
      'https://172.16.3.4/',
      'https://192.168.0.1/',
      'https://169.254.169.254/latest/meta-data/',
      'https://100.64.0.1/',
      'https://0.0.0.0/',
      'https://[::1]/',
      'https://[fd00:ec2::254]/',
      'https://[fe80::1]/',
      'https://[::ffff:10.0.0.5]/',
      'https://[::ffff:a00:5]/',
      'https://localhost/hook',
      'https://internal.example.com/hook',
      'https://user:pass@hooks.example.com/hook',
    ]) {
      const refused = await app.http.post('/api/v1/webhooks', { url }, { headers: auth });
      expect(refused.status, url).toBe(400);
      expect(refused.data.error.code, url).toBe('webhook_url_not_allowed');
    }
    expect((await app.http.post('/api/v1/webhooks', { url: 'https://hooks.example.com/hook' }, { headers: auth })).status).toBe(201);
    expect((await app.db.query('select url from webhook_endpoints')).map((r) => (r as { url: string }).url)).toEqual(['https://hooks.example.com/hook']);
  });

  it('when a saved receiver’s name turns to an internal address (DNS rebinding), then nothing connects to it and the log says why', async () => {
    const internal = await rawReceiver(fast);
    receivers.push(internal);
    let lookups = 0;
    // Public when saved; this machine's loopback, where the receiver listens, at every connection after.
    const app = await start({ webhookTarget: { allowLocal: false, resolve: async () => (lookups++ === 0 ? ['93.184.216.34'] : ['127.0.0.1']) } });
    const { auth, accountId } = await admin(app, DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
    const endpoint = (await app.http.post('/api/v1/webhooks', { url: `https://rebind.example.com:${internal.port}/hook` }, { headers: auth })).data;
    expect(endpoint.id).toBeDefined();
    await due(app, endpoint.id, accountId);
    await app.webhooks.drain();
    await app.webhooks.idle();
    expect(internal.connections()).toBe(0);
    expect((await log(app, auth, endpoint.id))[0]).toMatchObject({ lastError: 'address not allowed', deliveredAt: null });
  });

  it('when a delivery fails to connect, then the log shows a category and no internal address or port', async () => {
    const closed = await rawReceiver(fast);
    const { port } = closed;
    await closed.close();
    const app = await start({});
    const { auth, accountId } = await admin(app, DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
    const endpoint = (await app.http.post('/api/v1/webhooks', { url: `http://127.0.0.1:${port}/hook` }, { headers: auth })).data;
    await due(app, endpoint.id, accountId);
    await app.webhooks.drain();
    await app.webhooks.idle();
    const [entry] = await log(app, auth, endpoint.id);
    expect(entry!.lastError).toBe('connection refused');
    expect(JSON.stringify(entry)).not.toContain(String(port));
  });

  it('when one receiver trickles its answer and another streams 100 MB, then other accounts’ deliveries keep flowing, the slow one ends at 10 s and the big one is not read', async () => {
    // Writes its status line a byte every 5 s: an idle timeout never fires.
    const trickle = await rawReceiver((socket) =>
      socket.once('data', () => {
        const line = 'HTTP/1.1 200 OK\r\n';
        let i = 0;
        const timer = setInterval(() => (i < line.length && !socket.destroyed ? socket.write(line[i++]!) : clearInterval(timer)), 5000);
        socket.on('close', () => clearInterval(timer));
      }),
    );
    let streamed = 0;
    const huge = await rawReceiver((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n');
        const chunk = Buffer.alloc(64 * 1024, 97);
        const pump = () => {
          while (streamed < 104_857_600 && !socket.destroyed && socket.write(chunk)) streamed += chunk.length;
        };
        socket.on('drain', pump);
        pump();
      }),
    );
    const quick = await rawReceiver(fast);
    receivers.push(trickle, huge, quick);

    const app = await start({});
    const a = await admin(app, DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
    const b = await admin(app, ACCOUNT_B.id, 8_200_001);
    const slowEndpoint = (await app.http.post('/api/v1/webhooks', { url: trickle.url }, { headers: a.auth })).data;
    const hugeEndpoint = (await app.http.post('/api/v1/webhooks', { url: huge.url }, { headers: a.auth })).data;
    const quickEndpoint = (await app.http.post('/api/v1/webhooks', { url: quick.url }, { headers: b.auth })).data;
    for (let i = 0; i < 6; i++) await due(app, slowEndpoint.id, a.accountId);
    await due(app, hugeEndpoint.id, a.accountId);
    // As the service's 2-second timer does: one drain of the queue at a time.
    const tick = () => app.tasks.drain('webhook_deliveries', () => app.webhooks.drain());
    const started = Date.now();
    tick();
    await expect.poll(trickle.connections, { timeout: 8000, interval: 100 }).toBeGreaterThan(0);

    // Account B's events come while account A's slow receiver holds its deliveries.
    for (let i = 0; i < 20; i++) await due(app, quickEndpoint.id, b.accountId);
    tick();
    await expect.poll(quick.connections, { timeout: 8000, interval: 100 }).toBe(20);
    expect(Date.now() - started).toBeLessThan(9000);
    await expect
      .poll(async () => (await log(app, b.auth, quickEndpoint.id)).filter((d) => d.lastStatus === 200 && d.deliveredAt).length, { timeout: 5000 })
      .toBe(20);
    // The 100 MB answer was not read: its delivery counts by its status, and the connection was dropped.
    await expect.poll(async () => (await log(app, a.auth, hugeEndpoint.id))[0]?.lastStatus, { timeout: 8000 }).toBe(200);
    expect(streamed).toBeLessThan(16 * 1024 * 1024);
    // At most 4 of the slow receiver's deliveries were in flight at once.
    expect(trickle.connections()).toBeLessThanOrEqual(4);

    await app.tasks.idle();
    await app.webhooks.idle();
    const slow = await log(app, a.auth, slowEndpoint.id);
    expect(slow.filter((d) => d.lastError === 'timeout').length).toBeGreaterThan(0);
    expect(slow.every((d) => d.deliveredAt === null)).toBe(true);
    // Each ended at its 10 s wall-clock limit, not at the 5 s pace of the trickle or never.
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
