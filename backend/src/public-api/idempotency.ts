import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError, badRequest } from '../http/app-error';
import type { Db } from '../store/db';
import { sessionOf } from '../auth/require-session';

/**
 * `Idempotency-Key` on a POST: the first request runs and its answer is stored; a repeat with the
 * same key gets that answer and does nothing (a concurrent repeat waits for the first to finish).
 * A different body under the same key is refused. Refusals (4xx, 5xx) are not kept: a refused
 * request changes nothing, and a retry runs again.
 */
export function idempotency(deps: { db: Db; now: () => Date; waitMs?: number }): RequestHandler {
  return async (req, res, next) => {
    const key = req.header('idempotency-key');
    if (key === undefined) return next();
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1–200 visible ASCII characters.');
    const { accountId } = sessionOf(res);
    const fingerprint = createHash('sha256').update(`${req.method} ${req.path}\n${JSON.stringify(req.body ?? null)}`).digest('hex');
    const claimed = await deps.db.query('insert into api_idempotency (account_id, key, request_hash, created_at) values ($1, $2, $3, $4) on conflict do nothing returning key', [accountId, key, fingerprint, deps.now()]);
    if (claimed.length) {
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        const status = res.statusCode;
        const store =
          status >= 400
            ? deps.db.query('delete from api_idempotency where account_id = $1 and key = $2', [accountId, key])
            : deps.db.query('update api_idempotency set status = $3, response = $4 where account_id = $1 and key = $2', [accountId, key, status, JSON.stringify(body)]);
        // The answer is stored before it is sent, so a repeat that arrives next finds it.
        void store.then(
          () => json(body),
          () => json(body),
        );
        return res;
      };
      return next();
    }
    const deadline = Date.now() + (deps.waitMs ?? 15_000);
    for (;;) {
      const [row] = await deps.db.query<{ request_hash: string; status: number | null; response: unknown }>('select request_hash, status, response from api_idempotency where account_id = $1 and key = $2', [accountId, key]);
      if (!row) return next();
      if (row.request_hash !== fingerprint) throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used for a different request.', 422);
      if (row.status !== null) {
        res.setHeader('Idempotent-Replayed', 'true');
        return res.status(row.status).json(row.response);
      }
      if (Date.now() > deadline) throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed; try again shortly.', 409);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
}
