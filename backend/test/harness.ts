import axios, { type AxiosInstance } from 'axios';
import express from 'express';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Writable } from 'node:stream';
import { startFakeKommo, type FakeKommo } from '../../fakes/kommo/fake-kommo';
import { startFakeStripe } from '../../fakes/stripe/fake-stripe';
import { startFakeCloudApi } from '../../fakes/whatsapp/fake-cloud-api';
import { createCloudApiHttp } from '../src/whatsapp/cloud-api-http';
import { defaultSeller } from '../src/payments/seller';
import { createStripeProvider } from '../src/payments/stripe-provider';
import { demoKommoAccount, type FakeKommoAccount } from '../../fakes/kommo/fake-kommo-data';
import { listen } from '../../fakes/http-server';
import { createApp } from '../src/app';
import { createBackgroundTasks } from '../src/background-tasks';
import { fixedClock } from '../src/clock';
import type { Config } from '../src/config';
import type { MetricsAccess } from '../src/health/health-routes';
import type { WebhookTargetPolicy } from '../src/public-api/webhook-target';
import { createSecretBox, deriveKey } from '../src/crypto/secret-box';
import { randomIds, type IdGenerator } from '../src/ids';
import { createKommoHttpApi } from '../src/kommo/kommo-http-api';
import { defaultPriceList } from '../src/licensing/plans';
import type { Db, Queryable } from '../src/store/db';
import { roundTripCounter } from './round-trips';
import { openTestStore, type StoreKind } from './stores';

export const CLIENT_ID = '0b7f6c1e-8d5a-4f3b-9e2c-1a4d6b8c0e21';
export const STRIPE_KEY = 'sk_test_harness_0123456789';
export const STRIPE_WEBHOOK_SECRET = 'whsec_harness_0123456789';
export const WHATSAPP_APP_SECRET = 'whatsapp-app-secret-for-tests';
export const WHATSAPP_VERIFY_TOKEN = 'verify-me-please';
export const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789';
export const CLIENT_SECRET = 'test-client-secret-' + randomBytes(8).toString('hex');

export interface TestAppOptions {
  accounts?: FakeKommoAccount[];
  bodyLimit?: string;
  sessionTtlSeconds?: number;
  /** Sends per second per number the relay allows itself. */
  whatsappRate?: number;
  /** Broadcast recipients sent per number per engine round. */
  broadcastBatch?: number;
  /** Requests per second (and burst) per API key. */
  apiRate?: { perSecond: number; burst: number };
  /** The digital-pipeline hook's rate limits. */
  dpRate?: { perAccount: { perSecond: number; burst: number }; perAddress: { perSecond: number; burst: number } };
  /** Where the fixed clock starts. */
  now?: string;
  /** Where every id comes from; random UUIDs by default. */
  ids?: IdGenerator;
  /** Where outgoing webhooks may go; by default http and loopback too (the tests' receivers listen there). */
  webhookTarget?: WebhookTargetPolicy;
  /** Who may read /metrics on the app's port; by default anyone, as in the demo. */
  metrics?: MetricsAccess;
  /** Count each request's store round trips (`requestTrips`); off by default. */
  countRoundTrips?: boolean;
  /** The native Kommo chat channel is configured (KOMMO_CHANNEL_*), served by the fake Kommo's amojo. */
  channel?: boolean;
}

/** The Chats API channel the harness registers with the fake Kommo when `channel` is set. */
export const TEST_CHANNEL = {
  channelId: 'c0ffee00-0000-4000-8000-0000000000aa',
  channelSecret: 'test-channel-secret-0123456789',
  botId: 'b0000000-0000-4000-8000-0000000000bb',
};

/**
 * The real app over HTTP on a free port, on a fresh store, with a fake Kommo that speaks Kommo's
 * wire format. The clock is fixed; tests move it by hand. Logs are captured for assertions.
 */
export async function startTestApp(kind: StoreKind, options: TestAppOptions = {}) {
  const clock = fixedClock(options.now ?? '2026-11-21T10:00:00Z');
  const logs: { level: number; msg: string; [k: string]: unknown }[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _enc, done) {
        logs.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  const store: Db = await openTestStore(kind);
  // Every request's store round trips, counted (the send path's budget is asserted on them).
  const trips = roundTripCounter();
  const countedStore = trips.wrap(store);
  // The app's store, with a switch that makes every query fail as a lost connection would.
  // `beforeStatement` runs before each of the app's statements (in transactions too): a test makes
  // another instance act at an exact point of a flow.
  const faults: { failQueries: boolean; beforeStatement?: (sql: string) => Promise<void> } = { failQueries: false };
  const failing = () => Promise.reject(new Error('connection to the store was lost'));
  const hooked =
    (q: Queryable): Queryable['query'] =>
    async (sql, params) => {
      if (faults.failQueries) return failing();
      await faults.beforeStatement?.(sql);
      return q.query(sql, params);
    };
  const db: Db = {
    ...countedStore,
    query: hooked(countedStore),
    transaction: (fn) => (faults.failQueries ? failing() : countedStore.transaction((tx) => fn({ ...tx, query: hooked(tx) }))),
  };
  const masterKey = randomBytes(32);
  const box = createSecretBox(deriveKey(masterKey, 'secrets'));

  // Our server listens first so the fake Kommo knows our hook URLs; the app is attached after.
  const outer = express();
  const routing: { app?: express.Express } = {};
  if (options.countRoundTrips) outer.use(trips.middleware());
  outer.use((req, res, next) => (routing.app ? routing.app(req, res, next) : next()));
  const server = await listen(outer);

  const fake: FakeKommo = await startFakeKommo({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: `${server.url}/kommo/install`,
    uninstallUrl: `${server.url}/kommo/uninstall`,
    dpUrl: `${server.url}/kommo/dp`,
    salesbotUrl: `${server.url}/kommo/salesbot`,
    channel: options.channel ? { ...TEST_CHANNEL, hookUrl: `${server.url}/kommo/channel` } : undefined,
    accounts: options.accounts ?? [demoKommoAccount()],
    now: clock.now,
  });
  const fakeStripe = await startFakeStripe({
    secretKey: STRIPE_KEY,
    webhookSecret: STRIPE_WEBHOOK_SECRET,
    webhookUrl: `${server.url}/payments/webhook`,
    now: clock.now,
  });
  const fakeWhatsApp = await startFakeCloudApi({ appSecret: WHATSAPP_APP_SECRET, webhookUrl: `${server.url}/whatsapp/webhook`, now: clock.now });
  const config: Config = {
    publicUrl: server.url,
    demo: false,
    kommo: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, apiBase: fake.url },
    sessionTtlSeconds: options.sessionTtlSeconds ?? 900,
    bodyLimit: options.bodyLimit ?? '256kb',
    prices: defaultPriceList,
    operatorToken: OPERATOR_TOKEN,
    metrics: options.metrics ?? { publicListener: true },
    kommoChannel: options.channel
      ? { channelId: TEST_CHANNEL.channelId, secret: TEST_CHANNEL.channelSecret, botId: TEST_CHANNEL.botId, amojoBase: fake.url, title: 'Wabridge WhatsApp' }
      : undefined,
  };
  const tasks = trips.detach(createBackgroundTasks(logger));
  const {
    app,
    metricsApp,
    installs,
    licences,
    registrations,
    privacy,
    payments,
    orderActions,
    paymentEvents,
    inbox,
    chat,
    live,
    timeline,
    broadcasts,
    broadcastEngine,
    webhooks,
    idempotency,
    digitalPipeline,
    salesbot,
    channel,
  } = createApp({
    config,
    db,
    clock,
    ids: options.ids ?? randomIds,
    logger,
    metrics: new Registry(),
    tasks,
    box,
    sessionKey: deriveKey(masterKey, 'session'),
    invoiceKey: deriveKey(masterKey, 'invoice-links'),
    kommo: createKommoHttpApi({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `${server.url}/kommo/install`, apiBase: fake.url }),
    payments: createStripeProvider({ secretKey: STRIPE_KEY, webhookSecret: STRIPE_WEBHOOK_SECRET, apiBase: fakeStripe.url }),
    seller: defaultSeller,
    supportEmail: 'support@wabridge.test',
    apiRate: options.apiRate,
    dpRate: options.dpRate,
    webhookTarget: options.webhookTarget ?? { allowLocal: true },
    whatsapp: {
      cloud: createCloudApiHttp({ base: fakeWhatsApp.base }),
      appSecret: WHATSAPP_APP_SECRET,
      verifyToken: WHATSAPP_VERIFY_TOKEN,
      ratePerSecond: options.whatsappRate ?? 1000,
      sleep: async () => undefined,
      broadcastBatch: options.broadcastBatch,
      reconcileAfterMs: 60_000,
    },
  });
  routing.app = app;
  await live.start();

  const http: AxiosInstance = axios.create({ baseURL: server.url, validateStatus: () => true });

  return {
    url: server.url,
    http,
    /** The app of the metrics listener (METRICS_PORT), to listen on in a test. */
    metricsApp,
    /** The master key the app's keys are derived from (a test forges with the wrong derived key). */
    masterKey,
    db,
    fake,
    clock,
    tasks,
    box,
    installs,
    licences,
    registrations,
    privacy,
    payments,
    orderActions,
    paymentEvents,
    fakeStripe,
    fakeWhatsApp,
    inbox,
    chat,
    live,
    timeline,
    broadcasts,
    broadcastEngine,
    webhooks,
    idempotency,
    digitalPipeline,
    salesbot,
    channel,
    logs,
    faults,
    /** Each answered request's store round trips, in the order they were answered (with `countRoundTrips`). */
    requestTrips: trips.requests,
    /** Installs the account the way Kommo does (by its first admin, or `byUserId`) and waits for the background exchange. */
    async install(accountId: number, extra: Record<string, string> = {}, byUserId?: number) {
      const result = await fake.install(accountId, extra, byUserId);
      await tasks.idle();
      return result;
    },
    /** Waits until the fakes have sent what they started and we have processed it. */
    async settle() {
      for (let round = 0; round < 5; round++) {
        await fakeWhatsApp.idle();
        await tasks.idle();
      }
    },
    /** Our account id for a Kommo account id. */
    async accountId(kommoAccountId: number) {
      const [row] = await db.query<{ id: string }>('select id from accounts where kommo_account_id = $1', [kommoAccountId]);
      if (!row) throw new Error(`account ${kommoAccountId} is not installed`);
      return row.id;
    },
    /** A session of our own for a Kommo user, obtained through POST /api/v1/session. */
    async session(accountId: number, userId: number) {
      const token = await fake.mintDisposableToken(accountId, userId);
      const response = await http.post('/api/v1/session', {}, { headers: { 'X-Auth-Token': token } });
      if (response.status !== 201) throw new Error(`session failed: ${response.status} ${JSON.stringify(response.data)}`);
      return { token: response.data.token as string, auth: { Authorization: `Bearer ${response.data.token}` } };
    },
    async close() {
      await fakeWhatsApp.idle();
      await tasks.idle();
      await webhooks.idle();
      await live.close();
      await server.close();
      await fake.close();
      await fakeStripe.close();
      await fakeWhatsApp.close();
      await store.close();
    },
  };
}
export type TestApp = Awaited<ReturnType<typeof startTestApp>>;
