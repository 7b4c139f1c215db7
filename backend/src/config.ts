import { z } from 'zod';
import type { MetricsAccess } from './health/health-routes';
import type { ChannelConfig } from './kommo-channel/channel-api';
import { PriceList } from './licensing/plans';

const SellerSchema = z.object({ name: z.string().min(1), address: z.string().min(1), taxId: z.string().min(1), email: z.email(), bank: z.string().min(1) });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const optionalUrl = optionalText.pipe(z.url().optional());

/** A variable holding JSON that must match `schema`; `what` says what it must be. */
function jsonEnv<S extends z.ZodType>(schema: S, what: string) {
  return optionalText.transform((text, ctx): z.infer<S> | undefined => {
    if (text === undefined) return undefined;
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      ctx.addIssue({ code: 'custom', message: `${what}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`.trim()).join('; ')}` });
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
    }
    return z.NEVER;
  });
}

/** Every variable the service reads (SPEC §10). Unset values mean "demo": fakes in-process, embedded store. */
export const EnvSchema = z.object({
  NODE_ENV: optionalText,
  /** `1` runs the demo (fakes in-process) even where production is expected: NODE_ENV=production or a DATABASE_URL. */
  DEMO: optionalText.pipe(z.enum(['0', '1'], 'must be 0 or 1').optional()),
  PORT: optionalText
    .pipe(
      z
        .string()
        .regex(/^\d{1,5}$/, 'must be a port number')
        .optional(),
    )
    .transform((v) => (v === undefined ? 3000 : Number(v)))
    .pipe(z.number().max(65535, 'must be a port number')),
  HOST: optionalText.transform((v) => v ?? '127.0.0.1'),
  PUBLIC_URL: optionalUrl,
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  DATA_DIR: optionalText.transform((v) => v ?? './data'),
  LOG_LEVEL: optionalText.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
  KOMMO_CLIENT_ID: optionalText.pipe(z.uuid('must be the integration ID (a UUID)').optional()),
  KOMMO_CLIENT_SECRET: optionalText.pipe(z.string().min(16, 'must be the integration secret key').optional()),
  KOMMO_API_BASE: optionalUrl,
  /** The Chats API channel Kommo registered for us (SPEC §5): all three, or none (then the native channel is off). */
  KOMMO_CHANNEL_ID: optionalText,
  KOMMO_CHANNEL_SECRET: optionalText,
  KOMMO_CHANNEL_BOT_ID: optionalText,
  /** amojo's address; `https://amojo.kommo.com` unless set (a fake, or amojo.amocrm.ru). */
  KOMMO_CHANNEL_API_BASE: optionalUrl,
  WHATSAPP_APP_SECRET: optionalText,
  WHATSAPP_VERIFY_TOKEN: optionalText,
  GRAPH_API_BASE: optionalUrl,
  STRIPE_SECRET_KEY: optionalText,
  STRIPE_WEBHOOK_SECRET: optionalText,
  STRIPE_API_BASE: optionalUrl,
  ENCRYPTION_KEY: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9+/_-]{43}=?$|^[0-9a-fA-F]{64}$/, 'must be 32 bytes as 64 hex digits or base64')
      .optional(),
  ),
  OPERATOR_TOKEN: optionalText.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  /** The bearer token that reads GET /metrics; without it (or METRICS_PORT), production serves no metrics. */
  METRICS_TOKEN: optionalText.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  /** Serves GET /metrics on a listener of its own (METRICS_HOST:METRICS_PORT) instead of the public one. */
  METRICS_PORT: optionalText
    .pipe(
      z
        .string()
        .regex(/^\d{1,5}$/, 'must be a port number')
        .optional(),
    )
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .pipe(z.number().max(65535, 'must be a port number').optional()),
  METRICS_HOST: optionalText.transform((v) => v ?? '127.0.0.1'),
  SUPPORT_EMAIL: optionalText.pipe(z.email('must be an email address').optional()),
  SELLER: jsonEnv(SellerSchema, 'must be {name, address, taxId, email, bank}'),
  PRICE_LIST: jsonEnv(PriceList, 'must be a price list'),
  /** Forbidden words for broadcasts per locale, e.g. {"en": ["casino"], "es": ["casino"]}; replaces the defaults. */
  FORBIDDEN_WORDS: jsonEnv(z.record(z.string().regex(/^[a-z]{2}$/), z.array(z.string().trim().min(1)).max(1000)), 'must map locales to word lists'),
  /** `1` lets outgoing webhooks go to http and loopback receivers (tests, local development); the demo always may. */
  WEBHOOKS_ALLOW_LOCAL: optionalText.pipe(z.enum(['0', '1'], 'must be 0 or 1').optional()),
  /** Messages per second per WhatsApp number (Meta's default is 80; we stay under it). */
  WHATSAPP_RATE_PER_SECOND: optionalText
    .pipe(
      z
        .string()
        .regex(/^\d{1,4}$/, 'must be a whole number')
        .optional(),
    )
    .transform((v) => (v === undefined ? undefined : Number(v))),
  /** How long a broadcast send with no answer waits for Meta's status webhook before it is sent again. */
  BROADCAST_RECONCILE_SECONDS: optionalText
    .pipe(
      z
        .string()
        .regex(/^\d{1,5}$/, 'must be a whole number of seconds')
        .optional(),
    )
    .transform((v) => (v === undefined ? undefined : Number(v))),
});
export type Env = z.infer<typeof EnvSchema>;

/** What the app needs, resolved from the environment by the entry point. */
export interface Config {
  publicUrl: string;
  kommo: {
    clientId: string;
    clientSecret: string;
    /** Where Kommo API calls go; unset means the account's own host. */
    apiBase?: string;
  };
  /** Kommo's native chat channel; unset: off for every account, everything else works. */
  kommoChannel?: ChannelConfig;
  /** How long our widget session tokens live. */
  sessionTtlSeconds: number;
  /** Upper bound for JSON request bodies. */
  bodyLimit: string;
  demo: boolean;
  /** Plans, prices and limits (SPEC §4.1 by default). */
  prices: PriceList;
  /** The vendor operator's API token; the operator API is closed without one. */
  operatorToken?: string;
  /** Who may read GET /metrics on the public listener. */
  metrics: MetricsAccess;
  /** Words a broadcast may not contain, per locale; unset means the defaults. */
  forbiddenWords?: Record<string, string[]>;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; a bad value throws naming the variable. */
export function parseEnv(env: NodeJS.ProcessEnv): Env {
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const value = result.data;
  // With no Kommo credentials the service runs the demo, fakes and all: never by accident in production.
  if (!value.KOMMO_CLIENT_ID && !value.KOMMO_CLIENT_SECRET && value.DEMO !== '1' && (value.NODE_ENV === 'production' || value.DATABASE_URL)) {
    const why = value.NODE_ENV === 'production' ? 'NODE_ENV=production' : 'DATABASE_URL is set';
    throw new ConfigError(
      `Invalid configuration:\n  KOMMO_CLIENT_ID and KOMMO_CLIENT_SECRET: required (${why}); without them the service would run the demo with fake Kommo, WhatsApp and card provider. Set DEMO=1 to run the demo on purpose.`,
    );
  }
  if (Boolean(value.KOMMO_CLIENT_ID) !== Boolean(value.KOMMO_CLIENT_SECRET)) {
    throw new ConfigError('Invalid configuration:\n  KOMMO_CLIENT_ID and KOMMO_CLIENT_SECRET must be set together');
  }
  const channelVars = [value.KOMMO_CHANNEL_ID, value.KOMMO_CHANNEL_SECRET, value.KOMMO_CHANNEL_BOT_ID].filter(Boolean).length;
  if (channelVars !== 0 && channelVars !== 3) {
    throw new ConfigError(
      'Invalid configuration:\n  KOMMO_CHANNEL_ID, KOMMO_CHANNEL_SECRET and KOMMO_CHANNEL_BOT_ID must be set together (the channel Kommo registered for you), or none of them',
    );
  }
  if (value.KOMMO_CLIENT_ID && !value.ENCRYPTION_KEY) {
    throw new ConfigError('Invalid configuration:\n  ENCRYPTION_KEY: required when real Kommo credentials are set');
  }
  if (value.KOMMO_CLIENT_ID && (!value.WHATSAPP_APP_SECRET || !value.WHATSAPP_VERIFY_TOKEN)) {
    throw new ConfigError('Invalid configuration:\n  WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN: required when real Kommo credentials are set');
  }
  if (Boolean(value.STRIPE_SECRET_KEY) !== Boolean(value.STRIPE_WEBHOOK_SECRET)) {
    throw new ConfigError('Invalid configuration:\n  STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set together');
  }
  if (value.METRICS_PORT !== undefined && value.METRICS_PORT === value.PORT) {
    throw new ConfigError('Invalid configuration:\n  METRICS_PORT: must differ from PORT (metrics get a listener of their own)');
  }
  if (value.KOMMO_CLIENT_ID && !value.PUBLIC_URL) {
    throw new ConfigError('Invalid configuration:\n  PUBLIC_URL: required when real Kommo credentials are set');
  }
  return value;
}

/** The backend's public address: PUBLIC_URL, or this machine's port. */
export function publicUrlOf(env: Pick<Env, 'PUBLIC_URL' | 'PORT'>): string {
  return (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');
}

type Credentials = 'KOMMO_CLIENT_ID' | 'KOMMO_CLIENT_SECRET' | 'ENCRYPTION_KEY' | 'WHATSAPP_APP_SECRET' | 'WHATSAPP_VERIFY_TOKEN';

/**
 * The server runs only with credentials: Kommo's, the encryption key and Meta's. Without them it names
 * what is missing; the demo (`npm start`, backend/demo/main.ts) fills them in for its fakes.
 */
export function requireCredentials(env: Env): Env & Record<Credentials, string> {
  const { KOMMO_CLIENT_ID, KOMMO_CLIENT_SECRET, ENCRYPTION_KEY, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN } = env;
  if (KOMMO_CLIENT_ID && KOMMO_CLIENT_SECRET && ENCRYPTION_KEY && WHATSAPP_APP_SECRET && WHATSAPP_VERIFY_TOKEN) {
    return { ...env, KOMMO_CLIENT_ID, KOMMO_CLIENT_SECRET, ENCRYPTION_KEY, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN };
  }
  const missing = Object.entries({ KOMMO_CLIENT_ID, KOMMO_CLIENT_SECRET, ENCRYPTION_KEY, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN })
    .filter(([, v]) => !v)
    .map(([k]) => k);
  throw new ConfigError(
    `Invalid configuration:\n  ${missing.join(', ')}: required by the production server (backend/src/main.ts). The demo, with fake Kommo, WhatsApp and card provider, is \`npm start\` (backend/demo/main.ts).`,
  );
}

/**
 * Where GET /metrics is served: with METRICS_PORT on its own listener only; otherwise on the public
 * listener behind METRICS_TOKEN, or openly in the demo. In production with neither, nowhere.
 */
export function metricsAccess(env: Pick<Env, 'METRICS_TOKEN' | 'METRICS_PORT'>, demo: boolean): MetricsAccess {
  return { token: env.METRICS_TOKEN, publicListener: env.METRICS_PORT === undefined && (env.METRICS_TOKEN !== undefined || demo) };
}

export function decodeKey(text: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
}
