import type { AccessRow } from '../auth/access';
import { LICENCE_JSON, type licenceFromJson } from '../licensing/licence-store';
import type { Queryable } from '../store/db';

export interface KeyRow {
  id: string;
  account_id: string;
  name: string;
  prefix: string;
  hash: string;
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export type KeyWithAccess = KeyRow & Omit<AccessRow, 'account_id' | 'kommo_user_id'> & { licence: Parameters<typeof licenceFromJson>[0] | null };

export function listKeys(db: Queryable, accountId: string): Promise<KeyRow[]> {
  return db.query<KeyRow>('select * from api_keys where account_id = $1 order by created_at desc', [accountId]);
}

export async function countActiveKeys(db: Queryable, accountId: string): Promise<number> {
  const active = await db.query('select 1 from api_keys where account_id = $1 and revoked_at is null', [accountId]);
  return active.length;
}

export async function insertKey(
  db: Queryable,
  k: { id: string; accountId: string; name: string; prefix: string; hash: string; createdBy: number; at: Date },
): Promise<void> {
  await db.query('insert into api_keys (id, account_id, name, prefix, hash, created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7)', [
    k.id,
    k.accountId,
    k.name,
    k.prefix,
    k.hash,
    k.createdBy,
    k.at,
  ]);
}

export async function readKey(db: Queryable, id: string): Promise<KeyRow | undefined> {
  const [row] = await db.query<KeyRow>('select * from api_keys where id = $1', [id]);
  return row;
}

/** The key, revoked (the first revocation's time stays); undefined if the account has no such key. */
export async function revokeKey(db: Queryable, accountId: string, id: string, at: Date): Promise<KeyRow | undefined> {
  const [row] = await db.query<KeyRow>('update api_keys set revoked_at = coalesce(revoked_at, $3) where id = $1 and account_id = $2 returning *', [
    id,
    accountId,
    at,
  ]);
  return row;
}

/**
 * The key with this hash, its owner's access and its account's licence, noting it was used at `now`
 * unless it was within `touchedSince`. One statement: it runs on every public API request.
 */
export async function findKeyWithAccess(db: Queryable, digest: string, now: Date, touchedSince: Date): Promise<KeyWithAccess | undefined> {
  const [row] = await db.query<KeyWithAccess>(
    `with k as (select * from api_keys where hash = $1),
     touched as (
       update api_keys set last_used_at = $2
       where id = (select id from k where revoked_at is null) and (last_used_at is null or last_used_at < $3) returning id
     )
     select k.*, a.status, a.consent_withdrawn_at, u.enabled, u.is_admin, ${LICENCE_JSON('k.account_id')} as licence
     from k left join accounts a on a.id = k.account_id
       left join account_users u on u.account_id = k.account_id and u.kommo_user_id = k.created_by`,
    [digest, now, touchedSince],
  );
  return row;
}
