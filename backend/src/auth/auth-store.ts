import type { Queryable } from '../store/db';
import type { AccessRow } from './access';

/** Access of many (account, user) pairs in one read: the account by its key, the user by theirs. */
export async function readAccess(db: Queryable, who: { accountId: string; userId: number }[]): Promise<AccessRow[]> {
  if (!who.length) return [];
  return db.query<AccessRow>(
    `select a.id as account_id, s.user_id::text as kommo_user_id, a.status, a.consent_withdrawn_at, u.enabled, u.is_admin
     from unnest($1::text[], $2::bigint[]) as s (account_id, user_id)
     join accounts a on a.id = s.account_id
     left join account_users u on u.account_id = s.account_id and u.kommo_user_id = s.user_id`,
    [who.map((w) => w.accountId), who.map((w) => w.userId)],
  );
}

/** Forgets one-time token ids that expired before `before`. */
export async function forgetUsedTokensExpiredBefore(db: Queryable, before: Date): Promise<void> {
  await db.query('delete from used_token_ids where expires_at < $1', [before]);
}

/** Notes a one-time token id as used; false if it already was. */
export async function markTokenUsed(db: Queryable, jti: string, expiresAt: Date): Promise<boolean> {
  const fresh = await db.query('insert into used_token_ids (jti, expires_at) values ($1, $2) on conflict (jti) do nothing returning jti', [jti, expiresAt]);
  return fresh.length > 0;
}
