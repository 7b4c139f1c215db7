import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Paths never written to the log: bearer tokens in the headers an HTTP client error carries (axios
 * errors hold their request's config), and tokens in any logged object.
 */
export const REDACTED_PATHS = [
  'err.config.headers.Authorization',
  'err.config.headers.authorization',
  'err.config.data',
  'err.request',
  'err.response.config',
  'err.response.request',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.headers["x-auth-token"]',
  '*.accessToken',
  '*.access_token',
  '*.refresh_token',
  '*.token',
];

/** The service's logger: pino at the configured level, secrets redacted. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
