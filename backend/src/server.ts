import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Router } from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app';
import { createBackgroundTasks, type BackgroundTasks } from './background-tasks';
import { systemClock, type Clock } from './clock';
import { ConfigError, decodeKey, metricsAccess, parseEnv, publicUrlOf, requireCredentials, type Config, type Env } from './config';
import { createSecretBox, deriveKey } from './crypto/secret-box';
import { listen } from './http/listen';
import { createLogger } from './logger';
import { randomIds } from './ids';
import { createKommoHttpApi } from './kommo/kommo-http-api';
import { drainTimeline } from './kommo/timeline-writer';
import { defaultPriceList } from './licensing/plans';
import type { Db } from './store/db';
import { migrate } from './store/migrate';
import { openStore } from './store/open-store';
import { createCloudApiHttp } from './whatsapp/cloud-api-http';
import { defaultSeller } from './payments/seller';
import { createStripeProvider } from './payments/stripe-provider';
import { unconfiguredProvider } from './payments/unconfigured-provider';

/**
 * What the demo entry (`backend/demo/main.ts`) adds to this server; production passes nothing. The
 * demo's fakes are started there and reach the server only as URLs and secrets in `env`.
 */
export interface DemoMode {
  /** The clock the demo moves ahead, shared with its fakes. */
  clock: Clock;
  /** The `/demo` page and its calls, given the server's store and background tasks. */
  routes(deps: { db: Db; tasks: BackgroundTasks }): Router;
  /** Stops the fakes, after the server stopped. */
  close(): Promise<void>;
}

/**
 * Runs an entry point: reads the environment (the only place that reads process.env), and stops the
 * process with the message when the configuration is wrong or start-up fails.
 */
export function runEntry(env: NodeJS.ProcessEnv, start: (env: Env) => Promise<void>): void {
  const started = (async () => start(parseEnv(env)))();
  started.catch((error) => {
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`Wabridge failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}

/**
 * The server: real Kommo, Meta and card-provider credentials from `env` (a ConfigError naming what is
 * missing otherwise), background work, graceful stop on SIGINT/SIGTERM.
 */
export async function startServer(given: Env, demo?: DemoMode): Promise<void> {
  const env = requireCredentials(given);
  const logger = createLogger(env.LOG_LEVEL ?? 'info');
  const dataDir = resolve(env.DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const publicUrl = publicUrlOf(env);
  const masterKey = decodeKey(env.ENCRYPTION_KEY);
  const clock = demo?.clock ?? systemClock;
  const stripeSecretKey = env.STRIPE_SECRET_KEY;
  const stripeWebhookSecret = env.STRIPE_WEBHOOK_SECRET;

  const config: Config = {
    publicUrl,
    demo: demo !== undefined,
    kommo: {
      clientId: env.KOMMO_CLIENT_ID,
      clientSecret: env.KOMMO_CLIENT_SECRET,
      apiBase: env.KOMMO_API_BASE,
    },
    // Kommo's native chat channel (SPEC §5, decision 026): off unless Kommo registered one for us.
    kommoChannel: env.KOMMO_CHANNEL_ID
      ? {
          channelId: env.KOMMO_CHANNEL_ID,
          secret: env.KOMMO_CHANNEL_SECRET!,
          botId: env.KOMMO_CHANNEL_BOT_ID!,
          amojoBase: env.KOMMO_CHANNEL_API_BASE ?? 'https://amojo.kommo.com',
          title: 'Wabridge WhatsApp',
        }
      : undefined,
    sessionTtlSeconds: 15 * 60,
    bodyLimit: '256kb',
    prices: env.PRICE_LIST ?? defaultPriceList,
    operatorToken: env.OPERATOR_TOKEN,
    metrics: metricsAccess(env, demo !== undefined),
    forbiddenWords: env.FORBIDDEN_WORDS,
  };

  const db = await openStore({ databaseUrl: env.DATABASE_URL, dataDir });
  const applied = await migrate(db);
  logger.info({ store: db.kind, applied }, 'store ready');

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const tasks = createBackgroundTasks(logger);
  const {
    app,
    metricsApp,
    installs,
    privacy,
    payments,
    paymentEvents,
    inbox,
    live,
    timeline,
    templates,
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
        ? createStripeProvider({ secretKey: stripeSecretKey, webhookSecret: stripeWebhookSecret, apiBase: env.STRIPE_API_BASE })
        : unconfiguredProvider,
    whatsapp: {
      cloud: createCloudApiHttp({ base: env.GRAPH_API_BASE ?? 'https://graph.facebook.com/v25.0' }),
      appSecret: env.WHATSAPP_APP_SECRET,
      verifyToken: env.WHATSAPP_VERIFY_TOKEN,
      // 95% of Meta's default 80 messages per second per number: headroom for network jitter.
      ratePerSecond: env.WHATSAPP_RATE_PER_SECOND ?? 76,
      reconcileAfterMs: env.BROADCAST_RECONCILE_SECONDS === undefined ? undefined : env.BROADCAST_RECONCILE_SECONDS * 1000,
    },
    seller: env.SELLER ?? defaultSeller,
    supportEmail: env.SUPPORT_EMAIL ?? 'support@wabridge.app',
    // The demo's receivers may be http on this machine; elsewhere only by explicit setting.
    webhookTarget: { allowLocal: demo !== undefined || env.WEBHOOKS_ALLOW_LOCAL === '1' },
    demo: demo?.routes({ db, tasks }),
  });

  const server = listen(app, env.PORT, env.HOST, () => {
    logger.info({ url: publicUrl, demo: demo ? `${publicUrl}/demo` : undefined }, 'Wabridge is listening');
  });
  const metricsServer = env.METRICS_PORT === undefined ? undefined : metricsApp.listen(env.METRICS_PORT, env.METRICS_HOST);
  if (metricsServer) logger.info({ host: env.METRICS_HOST, port: env.METRICS_PORT }, 'metrics are served on their own listener');
  else if (!config.metrics.publicListener)
    logger.warn('GET /metrics is not served: set METRICS_TOKEN (bearer token on this port) or METRICS_PORT (a listener of its own)');
  await installs.resumePending();
  await live.start();
  broadcastEngine.start();

  // Housekeeping every few minutes: payment events and webhooks not yet acted on, Kommo notes due,
  // templates from Meta, unpaid orders past their deadline, Idempotency-Keys past 24 hours, card refunds the provider has not
  // confirmed, and the retention and consent purge (SPEC §9). With several instances, each step is safe to run twice.
  const housekeeping = () => {
    tasks.drain('payment_events', () => paymentEvents.processPending());
    tasks.drain('dp_runs', () => digitalPipeline.processPending());
    salesbot.kick();
    tasks.drain('kommo_install_requests', () => installs.resumePending());
    drainTimeline(tasks, timeline);
    tasks.drain('template sync', () => templates.syncAll());
    tasks.drain('order expiry', () => payments.expireOverdue());
    tasks.drain('idempotency keys', () => idempotency.forgetExpired());
    tasks.drain('card refunds not confirmed', () => payments.sendPendingRefunds());
    tasks.drain('data purge', () => privacy.purge());
    tasks.drain('old install calls', () => installs.purgeOldRequests());
  };
  housekeeping();
  const purgeTimer = setInterval(housekeeping, 5 * 60_000);
  // Notes that failed wait for their retry time; this picks them up, and Salesbot steps whose bot
  // Kommo did not let us continue yet (a waiting bot should not wait minutes).
  const notesTimer = setInterval(() => {
    drainTimeline(tasks, timeline);
    salesbot.kick();
  }, 15_000);
  notesTimer.unref();
  // Outgoing webhooks are due at once when an event happens, and again at their retry times; webhook
  // bodies stored but not processed (the database went away in between, or acting on them failed and
  // their retry time came) are taken up again soon, and so are statuses that raced their send's checkpoint.
  const webhooksTimer = setInterval(() => {
    tasks.drain('webhook_deliveries', () => webhooks.drain());
    tasks.drain('whatsapp_inbox', () => inbox.processPending());
    tasks.drain('stranded statuses', () => inbox.applyStrandedStatuses());
    channel.kick();
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
    await demo?.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
