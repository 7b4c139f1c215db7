import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app';
import { createBackgroundTasks } from './background-tasks';
import { offsetClock, systemClock } from './clock';
import { ConfigError, decodeKey, metricsAccess, parseEnv, type Config } from './config';
import { createSecretBox, deriveKey } from './crypto/secret-box';
import { DEMO_CLIENT_ID, demoSecrets } from './demo/demo-credentials';
import { createLogger } from './logger';
import { demoRoutes } from './demo/demo-routes';
import { createDemoStore } from './demo/demo-store';
import { randomIds } from './ids';
import { createKommoHttpApi } from './kommo/kommo-http-api';
import { defaultPriceList } from './licensing/plans';
import { migrate } from './store/migrate';
import { openStore } from './store/open-store';
import { startFakeKommo } from '../../fakes/kommo/fake-kommo';
import { startFakeStripe } from '../../fakes/stripe/fake-stripe';
import { startFakeCloudApi } from '../../fakes/whatsapp/fake-cloud-api';
import { createCloudApiHttp } from './whatsapp/cloud-api-http';
import { defaultSeller } from './payments/seller';
import { createStripeProvider } from './payments/stripe-provider';
import { unconfiguredProvider } from './payments/unconfigured-provider';

/** The entry point: the only place that reads process.env. */
async function main() {
  let env;
  try {
    env = parseEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(env.LOG_LEVEL ?? 'info');
  const dataDir = resolve(env.DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const demo = !env.KOMMO_CLIENT_ID;
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');
  const secrets = demo ? await demoSecrets(dataDir) : undefined;
  const masterKey = env.ENCRYPTION_KEY ? decodeKey(env.ENCRYPTION_KEY) : secrets!.encryptionKey;

  // The demo's clock can jump ahead (to show the 24-hour window closing); elsewhere it is the system's.
  const demoClock = demo ? offsetClock() : undefined;
  const clock = demoClock ?? systemClock;

  const fake = demo
    ? await startFakeKommo({
        now: clock.now,
        clientId: DEMO_CLIENT_ID,
        clientSecret: secrets!.clientSecret,
        redirectUri: `${publicUrl}/kommo/install`,
        uninstallUrl: `${publicUrl}/kommo/uninstall`,
        dpUrl: `${publicUrl}/kommo/dp`,
      })
    : undefined;

  const stripeSecretKey = env.STRIPE_SECRET_KEY ?? secrets?.stripeSecretKey;
  const stripeWebhookSecret = env.STRIPE_WEBHOOK_SECRET ?? secrets?.stripeWebhookSecret;
  const fakeStripe =
    demo && !env.STRIPE_SECRET_KEY
      ? await startFakeStripe({ secretKey: stripeSecretKey!, webhookSecret: stripeWebhookSecret!, webhookUrl: `${publicUrl}/payments/webhook`, now: clock.now })
      : undefined;

  const whatsappAppSecret = env.WHATSAPP_APP_SECRET ?? secrets!.whatsappAppSecret;
  const fakeWhatsApp =
    demo && !env.GRAPH_API_BASE ? await startFakeCloudApi({ appSecret: whatsappAppSecret, webhookUrl: `${publicUrl}/whatsapp/webhook`, now: clock.now }) : undefined;
  if (fakeWhatsApp) {
    // The demo's sandbox number, and customers who answer.
    fakeWhatsApp.addNumber({ phoneNumberId: '109000000000001', wabaId: '209000000000001', displayPhoneNumber: '+1 555-010-0001', verifiedName: 'Wabridge Demo', token: `EAAG${secrets!.whatsappVerifyToken}sandbox` });
    fakeWhatsApp.knobs.autoReplyMs = 2000;
  }

  const config: Config = {
    publicUrl,
    demo,
    kommo: {
      clientId: env.KOMMO_CLIENT_ID ?? DEMO_CLIENT_ID,
      clientSecret: env.KOMMO_CLIENT_SECRET ?? secrets!.clientSecret,
      apiBase: env.KOMMO_API_BASE ?? fake?.url,
    },
    sessionTtlSeconds: 15 * 60,
    bodyLimit: '256kb',
    prices: env.PRICE_LIST ?? defaultPriceList,
    operatorToken: env.OPERATOR_TOKEN ?? secrets?.operatorToken,
    metrics: metricsAccess(env, demo),
    forbiddenWords: env.FORBIDDEN_WORDS,
  };

  const db = await openStore({ databaseUrl: env.DATABASE_URL, dataDir });
  const applied = await migrate(db);
  logger.info({ store: db.kind, applied }, 'store ready');

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const tasks = createBackgroundTasks(logger);
  const { app, metricsApp, installs, privacy, payments, paymentEvents, inbox, live, timeline, templates, broadcastEngine, webhooks, idempotency, digitalPipeline } = createApp({
    config,
    db,
    clock,
    ids: randomIds,
    logger,
    metrics,
    tasks,
    box: createSecretBox(deriveKey(masterKey, 'secrets')),
    sessionKey: deriveKey(masterKey, 'session'),
    invoiceKey: deriveKey(masterKey, 'invoice-links'),
    kommo: createKommoHttpApi({
      clientId: config.kommo.clientId,
      clientSecret: config.kommo.clientSecret,
      redirectUri: `${publicUrl}/kommo/install`,
      apiBase: config.kommo.apiBase,
    }),
    payments:
      stripeSecretKey && stripeWebhookSecret
        ? createStripeProvider({ secretKey: stripeSecretKey, webhookSecret: stripeWebhookSecret, apiBase: env.STRIPE_API_BASE ?? fakeStripe?.url })
        : unconfiguredProvider,
    whatsapp: {
      cloud: createCloudApiHttp({ base: env.GRAPH_API_BASE ?? fakeWhatsApp?.base ?? 'https://graph.facebook.com/v25.0' }),
      appSecret: whatsappAppSecret,
      verifyToken: env.WHATSAPP_VERIFY_TOKEN ?? secrets!.whatsappVerifyToken,
      // 95% of Meta's default 80 messages per second per number: headroom for network jitter.
      ratePerSecond: env.WHATSAPP_RATE_PER_SECOND ?? 76,
      reconcileAfterMs: env.BROADCAST_RECONCILE_SECONDS === undefined ? undefined : env.BROADCAST_RECONCILE_SECONDS * 1000,
    },
    seller: env.SELLER ?? defaultSeller,
    supportEmail: env.SUPPORT_EMAIL ?? 'support@wabridge.app',
    // The demo's receivers may be http on this machine; elsewhere only by explicit setting.
    webhookTarget: { allowLocal: demo || env.WEBHOOKS_ALLOW_LOCAL === '1' },
    demo: fake ? demoRoutes({ fake, tasks, store: createDemoStore(db), whatsapp: fakeWhatsApp, clock: demoClock }) : undefined,
  });

  const server = app.listen(env.PORT, env.HOST, () => {
    logger.info({ url: publicUrl, demo: demo ? `${publicUrl}/demo` : undefined }, 'Wabridge is listening');
  });
  const metricsServer = env.METRICS_PORT === undefined ? undefined : metricsApp.listen(env.METRICS_PORT, env.METRICS_HOST);
  if (metricsServer) logger.info({ host: env.METRICS_HOST, port: env.METRICS_PORT }, 'metrics are served on their own listener');
  else if (!config.metrics.publicListener) logger.warn('GET /metrics is not served: set METRICS_TOKEN (bearer token on this port) or METRICS_PORT (a listener of its own)');
  await installs.resumePending();
  await live.start();
  broadcastEngine.start();

  // Housekeeping every few minutes: payment events and webhooks not yet acted on, Kommo notes due,
  // templates from Meta, unpaid orders past their deadline, Idempotency-Keys past 24 hours, card refunds the provider has not
  // confirmed, and the retention and consent purge (SPEC §9). With several instances, each step is safe to run twice.
  const housekeeping = () => {
    tasks.drain('payment events', () => paymentEvents.processPending());
    tasks.drain('whatsapp inbox, failed ones too', () => inbox.processPending());
    tasks.drain('digital pipeline', () => digitalPipeline.processPending());
    tasks.drain('kommo notes', () => timeline.drain());
    tasks.drain('template sync', () => templates.syncAll());
    tasks.drain('order expiry', () => payments.expireOverdue());
    tasks.drain('idempotency keys', () => idempotency.forgetExpired());
    tasks.drain('card refunds not confirmed', () => payments.sendPendingRefunds());
    tasks.drain('data purge', () => privacy.purge());
    tasks.drain('old install calls', () => installs.purgeOldRequests());
  };
  housekeeping();
  const purgeTimer = setInterval(housekeeping, 5 * 60_000);
  // Notes that failed wait for their retry time; this picks them up.
  const notesTimer = setInterval(() => tasks.drain('kommo notes', () => timeline.drain()), 15_000);
  notesTimer.unref();
  // Outgoing webhooks are due at once when an event happens, and again at their retry times; webhook
  // bodies stored but not processed (the database went away in between) are taken up again soon, and
  // so are statuses that raced their send's checkpoint.
  const webhooksTimer = setInterval(() => {
    tasks.drain('outgoing webhooks', () => webhooks.drain());
    tasks.drain('whatsapp inbox', () => inbox.processPending({ includeFailed: false }));
    tasks.drain('stranded statuses', () => inbox.applyStrandedStatuses());
  }, 2000);
  webhooksTimer.unref();
  purgeTimer.unref();
  if (demo) logger.info({ operatorToken: config.operatorToken }, 'demo operator token (npm run ops reads it from the data folder)');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    clearInterval(purgeTimer);
    clearInterval(notesTimer);
    clearInterval(webhooksTimer);
    await broadcastEngine.stop();
    await webhooks.idle();
    await live.close();
    server.close();
    server.closeIdleConnections();
    metricsServer?.close();
    await tasks.idle();
    await fake?.close();
    await fakeStripe?.close();
    await fakeWhatsApp?.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  process.stderr.write(`Wabridge failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
