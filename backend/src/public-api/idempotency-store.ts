import type { Queryable } from '../store/db';

/**
 * Takes the key for `holder` when it is free, taken before `expiredBefore`, or held in progress since
 * before `leaseBefore` by the same request; true if taken.
 */
export async function claimKey(
  db: Queryable,
  k: { accountId: string; key: string; fingerprint: string; holder: string; at: Date; expiredBefore: Date; leaseBefore: Date },
): Promise<boolean> {
  const claimed = await db.query(
    `insert into api_idempotency (account_id, key, request_hash, created_at, holder) values ($1, $2, $3, $4, $5)
     on conflict (account_id, key) do update
       set request_hash = excluded.request_hash, created_at = excluded.created_at, holder = excluded.holder, status = null, response = null
       where api_idempotency.created_at <= $6
          or (api_idempotency.status is null and api_idempotency.created_at <= $7 and api_idempotency.request_hash = excluded.request_hash)
     returning key`,
    [k.accountId, k.key, k.fingerprint, k.at, k.holder, k.expiredBefore, k.leaseBefore],
  );
  return claimed.length > 0;
}

/** Lets the key go, if `holder` still holds it. */
export async function releaseKey(db: Queryable, accountId: string, key: string, holder: string): Promise<void> {
  await db.query('delete from api_idempotency where account_id = $1 and key = $2 and holder = $3', [accountId, key, holder]);
}

/** Keeps the answer under the key, if `holder` still holds it. */
export async function keepAnswer(db: Queryable, accountId: string, key: string, holder: string, status: number, body: unknown): Promise<void> {
  await db.query('update api_idempotency set status = $4, response = $5 where account_id = $1 and key = $2 and holder = $3', [
    accountId,
    key,
    holder,
    status,
    JSON.stringify(body),
  ]);
}

export async function readKeyAnswer(
  db: Queryable,
  accountId: string,
  key: string,
): Promise<{ request_hash: string; status: number | null; response: unknown } | undefined> {
  const [row] = await db.query<{ request_hash: string; status: number | null; response: unknown }>(
    'select request_hash, status, response from api_idempotency where account_id = $1 and key = $2',
    [accountId, key],
  );
  return row;
}

/** Deletes keys taken at or before `before`; how many. */
export async function forgetKeysTakenBefore(db: Queryable, before: Date): Promise<number> {
  const deleted = await db.query('delete from api_idempotency where created_at <= $1 returning key', [before]);
  return deleted.length;
}
