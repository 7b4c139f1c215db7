import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError, badRequest } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { Db } from '../store/db';
import { sessionOf } from '../auth/require-session';
import { DAY_MS } from '../clock';
import { claimKey, forgetKeysTakenBefore, keepAnswer, readKeyAnswer, releaseKey } from './idempotency-store';

/** How long a request holds its key without answering before another request with the key may take over. */
export const IDEMPOTENCY_LEASE_MS = 60_000;
/** How long a key's answer is kept: after this, the same key is a new request. */
export const IDEMPOTENCY_TTL_MS = DAY_MS;

/** What makes two requests "the same": method, path and body. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
}

export interface Idempotency {
  /** The middleware for a POST route that honours `Idempotency-Key`. */
  middleware(options?: { waitMs?: number }): RequestHandler;
  /** Deletes keys older than 24 hours (the schedule runs it); returns how many. */
  forgetExpired(): Promise<number>;
}

/**
 * `Idempotency-Key` on a POST: the first request runs and its answer is stored; a repeat with the
 * same key gets that answer and does nothing (a concurrent repeat waits for the first to finish).
 * A different body under the same key is refused. Refusals (4xx, 5xx) are not kept: a refused
 * request changes nothing, and a retry runs again.
 *
 * The row in progress is a lease: it names its holder and when it started. A holder that has not
 * answered within a minute is taken to have died (its process crashed), and a repeat takes the key
 * over and runs; the old holder's answer, if it ever comes, is then not stored. A key's row is
 * forgotten 24 hours after it was taken: the same key after that is a new request.
 */
export function createIdempotency(deps: { db: Db; now: () => Date; ids: IdGenerator }): Idempotency {
  const { db } = deps;
  const ago = (ms: number) => new Date(deps.now().getTime() - ms);

  /** Takes the key when it is free, expired, or held past its lease by this same request; true if taken. */
  async function claim(accountId: string, key: string, fingerprint: string, holder: string): Promise<boolean> {
    return claimKey(db, {
      accountId,
      key,
      fingerprint,
      holder,
      at: deps.now(),
      expiredBefore: ago(IDEMPOTENCY_TTL_MS),
      leaseBefore: ago(IDEMPOTENCY_LEASE_MS),
    });
  }

  return {
    middleware:
      (options = {}) =>
      async (req, res, next) => {
        const key = req.header('idempotency-key');
        if (key === undefined) return next();
        if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1–200 visible ASCII characters.');
        const { accountId } = sessionOf(res);
        const fingerprint = requestFingerprint(req.method, req.path, req.body);
        const holder = deps.ids();
        // How long this request waits for another holder is real time, whatever the clock says.
        const deadline = Date.now() + (options.waitMs ?? 15_000);
        for (;;) {
          if (await claim(accountId, key, fingerprint, holder)) {
            const json = res.json.bind(res);
            res.json = (body: unknown) => {
              const status = res.statusCode;
              // Only the holder's answer counts: one whose lease was taken over changes nothing.
              const store = status >= 400 ? releaseKey(db, accountId, key, holder) : keepAnswer(db, accountId, key, holder, status, body);
              // The answer is stored before it is sent, so a repeat that arrives next finds it.
              void store.then(
                () => json(body),
                () => json(body),
              );
              return res;
            };
            return next();
          }
          const row = await readKeyAnswer(db, accountId, key);
          if (row) {
            if (row.request_hash !== fingerprint) throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used for a different request.', 422);
            if (row.status !== null) {
              res.setHeader('Idempotent-Replayed', 'true');
              return res.status(row.status).json(row.response);
            }
          }
          // In progress elsewhere (or just refused and deleted): wait, then try to take it again.
          if (Date.now() > deadline)
            throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed; try again shortly.', 409);
          await new Promise((r) => setTimeout(r, 50));
        }
      },

    async forgetExpired() {
      return forgetKeysTakenBefore(db, ago(IDEMPOTENCY_TTL_MS));
    },
  };
}
