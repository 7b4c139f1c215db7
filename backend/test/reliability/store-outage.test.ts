import { rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import axios from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../../contract/error';
import { backendProcess, bigAudience, freePort, freshDatabase, startStand } from './backend-process';

/** A TCP hop between the backend and PostgreSQL that can be cut (every socket dropped, new ones refused) and restored. */
async function cuttableProxy(target: { host: string; port: number }) {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const open = () =>
    new Promise<void>((done) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', done);
    });
  await open();
  return {
    port,
    async cut() {
      // close() waits for open connections: they are dropped first, as a failing server would.
      const closed = new Promise<void>((done) => server!.close(() => done()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    restore: open,
    close: () => new Promise<void>((done) => (server?.listening ? server.close(() => done()) : done())),
  };
}

/**
 * SPEC §8: PostgreSQL goes away under load and comes back. Meanwhile the widget API answers 503 in
 * the error shape, webhook intake answers non-200 so Meta retries; afterwards the same process
 * serves again without a restart, and every message Meta sent is stored.
 */
describe.skipIf(!process.env.DATABASE_URL)('PostgreSQL outage under load', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  });

  it('when PostgreSQL is unreachable for a while, then the widget API says 503, webhooks are not acknowledged, and after it returns nothing is lost', async () => {
    const database = await freshDatabase(process.env.DATABASE_URL!);
    cleanup.push(() => database.drop());
    const real = new URL(database.url);
    const proxy = await cuttableProxy({ host: real.hostname, port: Number(real.port || 5432) });
    cleanup.push(() => proxy.close());
    const viaProxy = new URL(database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const port = await freePort();
    const stand = await startStand({ account: bigAudience(1), webhookPort: port, store: { databaseUrl: viaProxy.toString() } });
    cleanup.push(
      () => stand.close(),
      () => (process.env.KEEP ? Promise.resolve() : rm(stand.dir, { recursive: true, force: true })),
    );
    stand.cloud.knobs.retryForMs = 120_000;
    const backend = backendProcess({ port, env: stand.env, logFile: join(stand.dir, 'backend.log') });
    cleanup.push(() => backend.stop());
    await backend.start();
    const pid = backend.pid();
    const { api, phoneNumberIds } = await stand.prepare(backend.url, 1);

    // Load: customers keep writing (Meta retries what we do not acknowledge) and agents keep reading.
    let sending = true;
    let n = 0;
    const customers = (async () => {
      while (sending) await stand.cloud.customerWrites(phoneNumberIds[0]!, `+55 21 9${String(8000_0000 + (n % 20)).slice(-8)}`, `outage-${n++}`);
    })();
    const statuses: number[] = [];
    const errors: unknown[] = [];
    const readers = (async () => {
      while (sending) {
        const r = await api.get('/api/v1/conversations');
        statuses.push(r.status);
        if (r.status >= 400) errors.push(r.data);
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, 1500));
    await proxy.cut();
    await new Promise((r) => setTimeout(r, 4000));
    await proxy.restore();
    await new Promise((r) => setTimeout(r, 1500));
    sending = false;
    await Promise.all([customers, readers]);
    await stand.cloud.idle();

    process.stdout.write(
      `store outage: ${statuses.length} API reads (${statuses.filter((s) => s === 503).length} × 503), ${stand.cloud.deliveries.length} webhook posts (${stand.cloud.deliveries.filter((d) => d.status !== 200).length} not acknowledged), ${n} messages sent\n`,
    );
    expect(statuses).toContain(503);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    for (const e of errors) expect(ErrorBody.parse(e).error.code).toBe('store_unavailable');
    expect(stand.cloud.deliveries.some((d) => d.status !== 200)).toBe(true);
    // The same process serves again: no restart.
    expect(backend.pid()).toBe(pid);
    expect((await axios.get(`${backend.url}/ready`, { validateStatus: () => true })).status).toBe(200);

    const stored = new Set<string>();
    for (let attempt = 0; attempt < 100; attempt++) {
      const conversations = (await api.get('/api/v1/conversations')).data.conversations as { id: string }[];
      for (const c of conversations) {
        const page = (await api.get(`/api/v1/conversations/${c.id}/messages`, { params: { limit: 100 } })).data.messages as { content: { body?: string } }[];
        for (const m of page) if (m.content.body) stored.add(m.content.body);
      }
      if (stored.size >= n) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const missing = Array.from({ length: n }, (_, i) => `outage-${i}`).filter((b) => !stored.has(b));
    expect(missing, 'sent by Meta but never stored').toEqual([]);
  });
});
