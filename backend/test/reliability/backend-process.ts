import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import pg from 'pg';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, type FakeKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { startFakeKommo } from '../../../fakes/kommo/fake-kommo';
import { startFakeCloudApi } from '../../../fakes/whatsapp/fake-cloud-api';

const ROOT = resolve(import.meta.dirname, '../../..');

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** A database of its own on the PostgreSQL server of DATABASE_URL; dropped by the returned function. */
export async function freshDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `wabridge_rel_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * The real backend as a child process (`node --import tsx backend/src/main.ts`), configured with
 * real-credential variables that point at fakes this process runs. It can be killed with SIGKILL
 * and started again on the same port and store. `entry: 'demo'` runs the demo entry instead
 * (`backend/demo/main.ts`, fakes in the child).
 */
export function backendProcess(options: { port: number; env: Record<string, string>; logFile: string; readyWithinMs?: number; entry?: 'production' | 'demo' }) {
  let child: ChildProcess | undefined;
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const url = `http://127.0.0.1:${options.port}`;

  async function start() {
    // The store is the stand's choice: the suite's own DATABASE_URL must not leak into the child.
    const { DATABASE_URL: _suiteDatabase, ...inherited } = process.env;
    // BACKEND_NODE_FLAGS passes flags such as `--cpu-prof` to the backend (profiling a benchmark).
    const flags = process.env.BACKEND_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
    const entry = options.entry === 'demo' ? 'backend/demo/main.ts' : 'backend/src/main.ts';
    child = spawn(process.execPath, [...flags, '--import', 'tsx', entry], {
      cwd: ROOT,
      env: { ...inherited, ...options.env, PORT: String(options.port), HOST: '127.0.0.1', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    const exited = new Promise<never>((_, fail) =>
      child!.once('exit', (code) => fail(new Error(`backend exited with ${code} while starting; see ${options.logFile}`))),
    );
    const deadline = Date.now() + (options.readyWithinMs ?? 60_000);
    const ready = (async () => {
      while (Date.now() < deadline) {
        const ok = await axios.get(`${url}/ready`, { timeout: 1000, validateStatus: () => true }).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return;
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error(`backend not ready in ${(options.readyWithinMs ?? 60_000) / 1000} s; see ${options.logFile}`);
    })();
    await Promise.race([ready, exited]);
    exited.catch(() => undefined);
  }

  return {
    url,
    start,
    /** The running process's id (for memory readings). */
    pid: () => child?.pid,
    /** SIGKILL: no shutdown hooks, no flushing — a crash. */
    async kill() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    },
    /** A clean stop (SIGTERM), as at the end of a test. */
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/**
 * A load balancer in front of several backends, as in production: each request goes to the next
 * backend that answers; a backend that is down is skipped. Meta's webhooks and Kommo's hooks reach
 * whichever instance is alive.
 */
export async function startBalancer(options: { port: number; backendPorts: number[] }) {
  let next = 0;
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const order = options.backendPorts.map((_, i) => options.backendPorts[(next + i) % options.backendPorts.length]!);
      next = (next + 1) % options.backendPorts.length;
      const attempt = (i: number) => {
        if (i >= order.length) {
          res.writeHead(502).end();
          return;
        }
        const upstream = httpRequest({ host: '127.0.0.1', port: order[i], method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => attempt(i + 1));
        upstream.end(body);
      };
      attempt(0);
    });
  });
  await new Promise<void>((done) => server.listen(options.port, '127.0.0.1', done));
  return { close: () => new Promise<void>((done) => server.close(() => done())) };
}

/**
 * A stand for reliability runs and benchmarks: a fake Kommo with `account`, a fake Cloud API, and
 * the settings the backend processes need to reach them. The webhook goes to `webhookPort`.
 */
export async function startStand(options: {
  account: FakeKommoAccount;
  webhookPort: number;
  store: { databaseUrl: string } | { dataDir?: string };
  channel?: boolean;
}) {
  const clientId = randomUUID();
  const clientSecret = randomBytes(24).toString('hex');
  const appSecret = randomBytes(16).toString('hex');
  const publicUrl = `http://127.0.0.1:${options.webhookPort}`;
  // The native chat channel, when asked for: registered with the fake Kommo, its hook to the backend.
  const channel = options.channel
    ? { channelId: randomUUID(), channelSecret: randomBytes(20).toString('hex'), botId: randomUUID(), hookUrl: `${publicUrl}/kommo/channel` }
    : undefined;
  const kommo = await startFakeKommo({
    clientId,
    clientSecret,
    redirectUri: `${publicUrl}/kommo/install`,
    uninstallUrl: `${publicUrl}/kommo/uninstall`,
    accounts: [options.account],
    channel,
  });
  const cloud = await startFakeCloudApi({ appSecret, webhookUrl: `${publicUrl}/whatsapp/webhook` });
  const dir = await mkdtemp(join(tmpdir(), 'wabridge-rel-'));
  const store: Record<string, string> =
    'databaseUrl' in options.store ? { DATABASE_URL: options.store.databaseUrl } : { DATA_DIR: options.store.dataDir ?? join(dir, 'data') };
  const env: Record<string, string> = {
    ...store,
    PUBLIC_URL: publicUrl,
    KOMMO_CLIENT_ID: clientId,
    KOMMO_CLIENT_SECRET: clientSecret,
    KOMMO_API_BASE: kommo.url,
    GRAPH_API_BASE: cloud.base,
    WHATSAPP_APP_SECRET: appSecret,
    WHATSAPP_VERIFY_TOKEN: randomBytes(8).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    ...(channel
      ? {
          KOMMO_CHANNEL_ID: channel.channelId,
          KOMMO_CHANNEL_SECRET: channel.channelSecret,
          KOMMO_CHANNEL_BOT_ID: channel.botId,
          KOMMO_CHANNEL_API_BASE: kommo.url,
        }
      : {}),
    // A demo period large enough for the run: the stand measures the engine, not the price list.
    PRICE_LIST: JSON.stringify({
      demo: { messages: 1_000_000, numbers: 10, days: 30, broadcastRecipients: 1_000_000 },
      plans: {
        user: { messages: 10_000, numbers: 3, prices: { USD: 900, EUR: 900 } },
        pro: { messages: 100_000, numbers: 10, prices: { USD: 1900, EUR: 1900 } },
        vip: { messages: 1_000_000, numbers: 30, prices: { USD: 4900, EUR: 4900 } },
      },
      periodDays: 30,
    }),
  };
  return {
    kommo,
    cloud,
    env,
    dir,
    async close() {
      await cloud.close();
      await kommo.close();
    },
    /**
     * Installs the account the way Kommo does, signs in as its admin on Kommo Advanced, and connects
     * `numbers` fake WhatsApp numbers. Returns an HTTP client with the session.
     */
    async prepare(backendUrl: string, numbers: number): Promise<{ api: AxiosInstance; numberIds: string[]; phoneNumberIds: string[] }> {
      await kommo.install(options.account.id);
      let token = '';
      for (let i = 0; i < 100 && !token; i++) {
        const jwt = await kommo.mintDisposableToken(options.account.id, options.account.users[0]!.id);
        const r = await axios.post(
          `${backendUrl}/api/v1/session`,
          { kommoPlan: { name: 'Advanced' } },
          { headers: { 'X-Auth-Token': jwt }, validateStatus: () => true },
        );
        if (r.status === 201) token = r.data.token;
        else await new Promise((r) => setTimeout(r, 200));
      }
      if (!token) throw new Error('could not sign in: the install did not complete');
      const api = axios.create({ baseURL: backendUrl, headers: { Authorization: `Bearer ${token}` }, validateStatus: () => true, timeout: 120_000 });
      const numberIds: string[] = [];
      const phoneNumberIds: string[] = [];
      for (let i = 0; i < numbers; i++) {
        const n = cloud.addNumber({ messagingTier: 'TIER_UNLIMITED' });
        const connected = await api.post('/api/v1/numbers', { phoneNumberId: n.phoneNumberId, wabaId: n.wabaId, accessToken: n.token });
        if (connected.status !== 201) throw new Error(`connect failed: ${JSON.stringify(connected.data)}`);
        numberIds.push(connected.data.id);
        phoneNumberIds.push(n.phoneNumberId);
      }
      return { api, numberIds, phoneNumberIds };
    },
  };
}

/** The demo account with `size` leads, one contact each, every phone distinct and valid. */
export function bigAudience(size: number): FakeKommoAccount {
  const contacts = Array.from({ length: size }, (_, i) => ({
    id: 100_001 + i,
    name: `Customer ${i + 1}`,
    phones: [`+55 11 9${String(1000_0000 + i).slice(-8)}`],
  }));
  const leads = contacts.map((c, i) => ({ id: 500_001 + i, name: `Lead ${i + 1}`, price: 0, contactIds: [c.id] }));
  return {
    id: DEMO_ACCOUNT_ID,
    name: 'Reliability Co',
    subdomain: 'reliability',
    country: 'BR',
    currency: 'USD',
    language: 'en',
    timezone: 'UTC',
    installed: false,
    users: [{ id: DEMO_ADMIN_ID, name: 'Dana Admin', isAdmin: true }],
    contacts,
    leads,
  };
}
