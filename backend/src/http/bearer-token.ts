import type { RequestHandler } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppError } from './app-error';

/**
 * A route closed by one configured secret (`Authorization: Bearer …`); without a secret configured it
 * is closed to everyone. Digests make the lengths equal, so the comparison leaks nothing by timing.
 */
export function requireBearer(token: string | undefined, refusal: () => AppError): RequestHandler {
  const expected = token ? createHash('sha256').update(token).digest() : undefined;
  return (req, _res, next) => {
    const given = /^Bearer (\S+)$/.exec(req.header('authorization') ?? '')?.[1];
    const digest = given ? createHash('sha256').update(given).digest() : undefined;
    if (!expected || !digest || !timingSafeEqual(expected, digest)) throw refusal();
    next();
  };
}
