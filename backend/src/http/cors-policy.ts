import cors from 'cors';

/** Kommo account pages (the loader's `$authorizedAjax`) and our own origin may call the API from a browser. */
export const KOMMO_ORIGIN = /^https:\/\/[a-z0-9][a-z0-9-]{0,62}\.(kommo\.com|amocrm\.com|amocrm\.ru)$/;

export function isAllowedOrigin(origin: string, publicOrigin: string): boolean {
  return origin === publicOrigin || KOMMO_ORIGIN.test(origin);
}

export function corsPolicy(publicOrigin: string) {
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && isAllowedOrigin(origin, publicOrigin)),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Auth-Token', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id'],
    maxAge: 600,
  });
}
