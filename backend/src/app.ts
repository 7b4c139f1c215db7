import express, { Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { accountRoutes } from './accounts/account-routes';
import { createAccountService } from './accounts/account-service';
import { teamSettingRoutes } from './accounts/team-setting-routes';
import { createUserNames } from './accounts/user-names';
import { createKommoTokenVerifier } from './auth/kommo-token';
import { requireSession } from './auth/require-session';
import { createSessionService } from './auth/session-service';
import { sessionRoutes } from './auth/session-routes';
import { createSessionTokens } from './auth/session-token';
import type { BackgroundTasks } from './background-tasks';
import type { Clock } from './clock';
import type { Config } from './config';
import type { SecretBox } from './crypto/secret-box';
import { healthRoutes, metricsApp } from './health/health-routes';
import { storeReadiness } from './health/readiness';
import { createLiveEvents } from './live/live-events';
import { corsPolicy } from './http/cors-policy';
import { errorMiddleware, notFoundHandler } from './http/error-middleware';
import { httpMetrics } from './http/http-metrics';
import { requestLog } from './http/request-log';
import type { IdGenerator } from './ids';
import { createInstallService } from './kommo/install-service';
import { createKommoAccess } from './kommo/kommo-access';
import { createKommoPacer, createTimelineWriter, drainTimeline } from './kommo/timeline-writer';
import { licenceRoutes } from './licensing/licence-routes';
import { createLicenceService } from './licensing/licence-service';
import { operatorRoutes } from './operator/operator-routes';
import { createOperatorService } from './operator/operator-service';
import { claimMetrics } from './payments/claim-metrics';
import { createOrderActions } from './payments/order-actions';
import { orderRoutes } from './payments/order-routes';
import { createOrderViews } from './payments/order-views';
import { createPaymentEvents } from './payments/payment-events';
import { invoiceLinks, paymentPages, type Seller } from './payments/payment-pages';
import type { PaymentProvider } from './payments/payment-provider';
import { createPaymentsService } from './payments/payments-service';
import { privacyRoutes } from './privacy/privacy-routes';
import { createPrivacyService } from './privacy/privacy-service';
import { registrationRoutes, termsPage } from './registration/registration-routes';
import { createRegistrationService } from './registration/registration-service';
import { settingsRoutes } from './settings/settings-routes';
import { createSettingsService } from './settings/settings-service';
import type { KommoApi } from './kommo/kommo-api';
import { kommoRoutes } from './kommo/kommo-routes';
import { createChannelHttpApi } from './kommo-channel/channel-api';
import { channelHookRoutes, channelSettingsRoutes } from './kommo-channel/channel-routes';
import { createKommoChannel } from './kommo-channel/channel-service';
import type { Db } from './store/db';
import { widgetRoutes } from './widget-host/widget-routes';
import { automationRoutes } from './automation/automation-routes';
import { createAutomationService } from './automation/automation-service';
import { createAutomationStore } from './automation/automation-store';
import { createDigitalPipeline, digitalPipelineRoutes, type DP_RATE } from './automation/digital-pipeline';
import { createSalesbot, salesbotRoutes } from './automation/salesbot';
import { createQuickReplies } from './quick-replies/quick-replies';
import { quickReplyRoutes } from './quick-replies/quick-reply-routes';
import { createAudienceReader } from './broadcasts/audience';
import { createBroadcastEngine } from './broadcasts/broadcast-engine';
import { broadcastWebhookHooks } from './broadcasts/broadcast-events';
import { broadcastRoutes } from './broadcasts/broadcast-routes';
import { createBroadcastReports } from './broadcasts/broadcast-reports';
import { createBroadcastService } from './broadcasts/broadcast-service';
import { apiKeyAuth, createApiKeys, createKeyRateLimiter } from './public-api/api-keys';
import { isPublicRoute } from './public-api/openapi';
import { createIdempotency } from './public-api/idempotency';
import { createOutgoingWebhooks } from './public-api/outgoing-webhooks';
import type { WebhookTargetPolicy } from './public-api/webhook-target';
import { apiDocsRoutes, publicApiRoutes } from './public-api/public-api-routes';
import { createChatService } from './whatsapp/chat-service';
import type { CloudApi } from './whatsapp/cloud-api';
import { createInboxProcessor } from './whatsapp/inbox-processor';
import { createNumbersService } from './whatsapp/numbers-service';
import { createPacer } from './whatsapp/pacer';
import { createTemplatesService } from './whatsapp/templates-service';
import { createWebhookIntake } from './whatsapp/webhook-intake';
import { chatRoutes, whatsappWebhookRoutes } from './whatsapp/whatsapp-routes';

export interface AppDeps {
  config: Config;
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  metrics: Registry;
  tasks: BackgroundTasks;
  box: SecretBox;
  /** Signs our widget session tokens. */
  sessionKey: Uint8Array;
  /** Signs invoice links: a key of its own, so nothing signed for one use is accepted for the other. */
  invoiceKey: Uint8Array;
  kommo: KommoApi;
  /** The card payment provider (Stripe, or the fake Stripe in tests and the demo). */
  payments: PaymentProvider;
  seller: Seller;
  supportEmail: string;
  whatsapp: {
    cloud: CloudApi;
    appSecret: string;
    verifyToken: string;
    /** Sends per second per number that the relay allows itself (Meta's default throughput is 80). */
    ratePerSecond: number;
    /** Backoff between retries; tests pass one that does not wait. */
    sleep?: (ms: number) => Promise<void>;
    /** How long a broadcast send with no answer waits for its status webhook before it is sent again. */
    reconcileAfterMs?: number;
    /** Broadcast recipients claimed per number per round; a second of sending by default. */
    broadcastBatch?: number;
  };
  /** Requests per second (and burst) per API key; per instance. */
  apiRate?: { perSecond: number; burst: number };
  /** The digital-pipeline hook's rate limits (tests make them small). */
  dpRate?: typeof DP_RATE;
  /** Where outgoing webhooks may go; by default https receivers at public addresses only (SPEC §7). */
  webhookTarget?: WebhookTargetPolicy;
  /** Extra pages mounted at /demo when the demo runs. */
  demo?: Router;
}

export function createApp(deps: AppDeps) {
  const { config, db, clock, logger } = deps;
  const publicOrigin = new URL(config.publicUrl).origin;
  const https = publicOrigin.startsWith('https:');

  const licences = createLicenceService({ db, clock, ids: deps.ids, prices: config.prices, logger });
  const registrations = createRegistrationService({ db, clock });
  const privacy = createPrivacyService({ db, clock, logger });
  const links = invoiceLinks(deps.invoiceKey, config.publicUrl);
  const accounts = createAccountService({ db, clock });
  const payments = createPaymentsService({
    db,
    clock,
    ids: deps.ids,
    logger,
    tasks: deps.tasks,
    prices: config.prices,
    provider: deps.payments,
    licences,
    registrations,
    publicUrl: config.publicUrl,
    invoiceUrl: links.url,
  });
  const orderActions = createOrderActions({ db, clock, ids: deps.ids, payments, licences });
  const orderViews = createOrderViews({ db, clock, licences, invoiceUrl: links.url, supportEmail: deps.supportEmail });
  const paymentEvents = createPaymentEvents({ db, clock, logger, tasks: deps.tasks, provider: deps.payments, payments });
  const numbers = createNumbersService({ db, clock, ids: deps.ids, box: deps.box, cloud: deps.whatsapp.cloud, licences });
  const settings = createSettingsService({ db, clock, licences });
  const kommoAccess = createKommoAccess({ db, kommo: deps.kommo, box: deps.box, clock, logger });
  const kommoPacer = createKommoPacer();
  const timeline = createTimelineWriter({
    db,
    clock,
    logger,
    kommo: deps.kommo,
    access: kommoAccess,
    pacer: kommoPacer,
    mayAutoCreate: settings.mayAutoCreate,
  });
  // The native chat channel's queue is written with the notes' (created below: it sends through the chat service).
  const channelRef: { kick?: () => void } = {};
  const writeTimeline = () => {
    drainTimeline(deps.tasks, timeline);
    channelRef.kick?.();
  };
  const inbox = createInboxProcessor({
    db,
    clock,
    ids: deps.ids,
    logger,
    onNoteQueued: writeTimeline,
    ...broadcastWebhookHooks({ clock, ids: deps.ids, licences }),
  });
  const sleep = deps.whatsapp.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // One pace per number for everything we send on it: live chat and broadcasts share it.
  const whatsappPacer = createPacer(deps.whatsapp.ratePerSecond);
  const templates = createTemplatesService({ db, clock, logger, cloud: deps.whatsapp.cloud, numbers });
  const chat = createChatService({
    db,
    clock,
    ids: deps.ids,
    logger,
    cloud: deps.whatsapp.cloud,
    numbers,
    licences,
    inbox,
    pacer: whatsappPacer,
    sleep,
    onNoteQueued: writeTimeline,
  });
  const channel = createKommoChannel({
    db,
    clock,
    ids: deps.ids,
    logger,
    tasks: deps.tasks,
    kommo: deps.kommo,
    access: kommoAccess,
    kommoPacer,
    chat,
    channel: config.kommoChannel
      ? {
          api: createChannelHttpApi({ ...config.kommoChannel, now: clock.now, apiBase: config.kommo.apiBase }),
          secret: config.kommoChannel.secret,
          botId: config.kommoChannel.botId,
        }
      : undefined,
  });
  channelRef.kick = channel.kick;
  const live = createLiveEvents({ db, clock, logger });
  const apiKeys = createApiKeys({ db, clock, ids: deps.ids });
  const webhooks = createOutgoingWebhooks({ db, clock, ids: deps.ids, box: deps.box, logger, target: deps.webhookTarget ?? { allowLocal: false } });
  const idempotency = createIdempotency({ db, now: clock.now, ids: deps.ids });
  const automations = createAutomationStore(db);
  const digitalPipeline = createDigitalPipeline({
    store: automations,
    clock,
    ids: deps.ids,
    logger,
    kommo: deps.kommo,
    access: kommoAccess,
    kommoPacer,
    chat,
    licences,
    tasks: deps.tasks,
    rate: deps.dpRate,
  });
  const salesbot = createSalesbot({
    db,
    clock,
    ids: deps.ids,
    logger,
    clientId: config.kommo.clientId,
    clientSecret: config.kommo.clientSecret,
    kommo: deps.kommo,
    access: kommoAccess,
    kommoPacer,
    chat,
    licences,
    tasks: deps.tasks,
    automations,
  });
  const broadcasts = createBroadcastService({
    db,
    clock,
    ids: deps.ids,
    logger,
    licences,
    audience: createAudienceReader({ kommo: deps.kommo, access: kommoAccess, pacer: kommoPacer, sleep }),
    prices: config.prices,
    forbiddenWords: config.forbiddenWords,
    ratePerSecond: deps.whatsapp.ratePerSecond,
  });
  const broadcastEngine = createBroadcastEngine({
    db,
    clock,
    ids: deps.ids,
    logger,
    cloud: deps.whatsapp.cloud,
    numbers,
    licences,
    inbox,
    pacer: whatsappPacer,
    // About a second of sending, but never more than 1,000 in flight: what is claimed and unsent is
    // held in memory and, after a crash, waits for reconciliation.
    batch: deps.whatsapp.broadcastBatch ?? Math.min(1000, Math.max(1, Math.round(deps.whatsapp.ratePerSecond))),
    reconcileAfterMs: deps.whatsapp.reconcileAfterMs ?? 120_000,
    onNoteQueued: writeTimeline,
  });
  const intake = createWebhookIntake({
    db,
    clock,
    logger,
    tasks: deps.tasks,
    appSecret: deps.whatsapp.appSecret,
    verifyToken: deps.whatsapp.verifyToken,
    processor: inbox,
  });
  const installs = createInstallService({
    db,
    kommo: deps.kommo,
    box: deps.box,
    clock,
    ids: deps.ids,
    logger,
    tasks: deps.tasks,
    clientId: config.kommo.clientId,
    clientSecret: config.kommo.clientSecret,
    onInstalled: async (tx, accountId, kommoAccountId) => {
      await licences.startDemoIfFirst(tx, accountId, kommoAccountId);
      await channel.onInstalled(tx, accountId);
      channel.kick();
    },
    onUninstalled: async (tx, accountId) => {
      await channel.onUninstalled(tx, accountId);
      channel.kick();
    },
  });
  const sessionTokens = createSessionTokens({ key: deps.sessionKey, clock, ttlSeconds: config.sessionTtlSeconds });
  const kommoTokens = createKommoTokenVerifier({
    db,
    clock,
    clientId: config.kommo.clientId,
    clientSecret: config.kommo.clientSecret,
    audience: publicOrigin,
  });
  const userNames = createUserNames({ db, clock, logger, kommo: deps.kommo, access: kommoAccess, pacer: kommoPacer, tasks: deps.tasks });
  const sessions = createSessionService({ db, clock, sessions: sessionTokens, kommoTokens, userNames });

  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(logger, deps.ids));
  app.use(httpMetrics(deps.metrics));
  claimMetrics(deps.metrics, { db, clock });
  app.use(
    helmet({
      // The widget lives in an iframe inside Kommo pages: frame-ancestors replaces X-Frame-Options.
      frameguard: false,
      strictTransportSecurity: https,
      contentSecurityPolicy: {
        directives: {
          'upgrade-insecure-requests': https ? [] : null,
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          // blob: for media the widget fetches with its session and shows.
          'img-src': ["'self'", 'data:', 'blob:'],
          'connect-src': ["'self'"],
          'frame-src': ["'self'"],
          'frame-ancestors': ["'self'", 'https://*.kommo.com', 'https://*.amocrm.com', 'https://*.amocrm.ru'],
        },
      },
    }),
  );
  app.use(corsPolicy(publicOrigin));
  // Before JSON parsing: the card provider's signature is over the raw body.
  app.use(paymentPages({ orders: orderViews, events: paymentEvents, links, seller: deps.seller }));
  app.use(whatsappWebhookRoutes(intake));
  // Kommo's chat hook is signed over the raw body too.
  app.use(channelHookRoutes(channel));
  // A broadcast to a list of phones (the public API) may carry up to 100,000 of them.
  app.use('/api/v1/broadcasts', express.json({ limit: '4mb' }));
  app.use(express.json({ limit: config.bodyLimit }));

  app.use(healthRoutes({ readiness: storeReadiness(db), metrics: deps.metrics, metricsAccess: config.metrics }));
  app.use(apiDocsRoutes({ publicUrl: config.publicUrl }));
  app.use('/kommo', kommoRoutes(installs, { now: () => clock.now().getTime() }));
  app.use('/kommo', digitalPipelineRoutes(digitalPipeline));
  app.use('/kommo', salesbotRoutes(salesbot));
  app.use('/widget', widgetRoutes({ publicOrigin }));
  app.use('/terms', termsPage({ registrations }));
  app.use(
    '/operator',
    operatorRoutes({
      operator: createOperatorService({ db, clock, licences }),
      ids: deps.ids,
      token: config.operatorToken,
      licences,
      registrations,
      payments,
      actions: orderActions,
    }),
  );

  const api = Router();
  api.use(sessionRoutes({ sessions, cardChat: (accountId, phones, pageSize) => chat.cardChat(accountId, phones, pageSize), logger }));
  api.use(teamSettingRoutes({ accounts, kommoTokens }));
  api.use(
    requireSession({
      db,
      sessions: sessionTokens,
      apiKeys: apiKeyAuth({ keys: apiKeys, licences, limiter: createKeyRateLimiter(deps.apiRate ?? { perSecond: 10, burst: 30 }), isPublicRoute }),
    }),
  );
  api.use(accountRoutes(accounts));
  api.use(licenceRoutes({ licences, prices: config.prices }));
  api.use(registrationRoutes({ registrations }));
  api.use(privacyRoutes({ privacy }));
  api.use(settingsRoutes(settings));
  api.use(channelSettingsRoutes(channel));
  api.use(automationRoutes(createAutomationService({ store: automations, clock, licences })));
  api.use(quickReplyRoutes(createQuickReplies({ db, clock, kommo: deps.kommo, access: kommoAccess, kommoPacer })));
  api.use(broadcastRoutes({ broadcasts, idempotency, reports: createBroadcastReports({ db }) }));
  api.use(publicApiRoutes({ chat, apiKeys, licences, webhooks, idempotency }));
  api.use(chatRoutes({ numbers, chat, licences, live, templates, logger }));
  api.use(orderRoutes({ payments, actions: orderActions, views: orderViews }));
  app.use('/api/v1', api);

  if (deps.demo) app.use('/demo', deps.demo);

  app.use(notFoundHandler);
  app.use(errorMiddleware(logger));

  return {
    app,
    metricsApp: metricsApp(deps.metrics, config.metrics, logger),
    broadcasts,
    broadcastEngine,
    webhooks,
    idempotency,
    digitalPipeline,
    salesbot,
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
    templates,
    channel,
  };
}
