import type { Queryable } from '../store/db';
import type { KommoAccountInfo } from './kommo-api';

export interface AccountRow {
  id: string;
  kommo_account_id: string;
  subdomain: string;
  host: string;
  name: string | null;
  country: string | null;
  currency: string | null;
  language: string | null;
  timezone: string | null;
  status: 'active' | 'uninstalled';
  installed_at: Date;
  uninstalled_at: Date | null;
  kommo_plan_name: string | null;
  kommo_plan_seen_at: Date | null;
  consent_withdrawn_at: Date | null;
  installed_by_user_id: string | null;
  installed_by_name: string | null;
  installed_by_login: string | null;
  last_used_at: Date | null;
}

export async function findAccountByKommoId(db: Queryable, kommoAccountId: number): Promise<AccountRow | undefined> {
  const rows = await db.query<AccountRow>('select * from accounts where kommo_account_id = $1', [kommoAccountId]);
  return rows[0];
}

export async function findAccount(db: Queryable, id: string): Promise<AccountRow | undefined> {
  const rows = await db.query<AccountRow>('select * from accounts where id = $1', [id]);
  return rows[0];
}

/** Every account, oldest first (the operator's list). */
export async function listAccounts(db: Queryable): Promise<AccountRow[]> {
  return db.query<AccountRow>('select * from accounts order by created_at');
}

/** Creates the account, or reactivates it (a reinstall keeps its data). An install is use (SPEC §4.2). Returns our account id. */
export async function upsertInstalledAccount(
  db: Queryable,
  input: { id: string; host: string; info: KommoAccountInfo; installedBy: { id: number; name: string | null; login: string | null } | null; at: Date },
): Promise<string> {
  const { info } = input;
  const rows = await db.query<{ id: string }>(
    `insert into accounts (id, kommo_account_id, subdomain, host, name, country, currency, language, timezone,
       status, installed_at, installed_by_user_id, installed_by_name, installed_by_login, last_used_at, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11, $12, $13, $10, $10, $10)
     on conflict (kommo_account_id) do update set
       subdomain = excluded.subdomain, host = excluded.host, name = excluded.name,
       country = coalesce(excluded.country, accounts.country), currency = coalesce(excluded.currency, accounts.currency),
       language = coalesce(excluded.language, accounts.language), timezone = coalesce(excluded.timezone, accounts.timezone),
       status = 'active', installed_at = case when accounts.status = 'active' then accounts.installed_at else excluded.installed_at end,
       installed_by_user_id = coalesce(excluded.installed_by_user_id, accounts.installed_by_user_id),
       installed_by_name = case when excluded.installed_by_user_id is null then accounts.installed_by_name else excluded.installed_by_name end,
       installed_by_login = case when excluded.installed_by_user_id is null then accounts.installed_by_login else excluded.installed_by_login end,
       last_used_at = excluded.last_used_at, uninstalled_at = null, updated_at = excluded.updated_at
     returning id`,
    [
      input.id,
      info.id,
      info.subdomain,
      input.host,
      info.name,
      info.country ?? null,
      info.currency ?? null,
      info.language ?? null,
      info.timezone ?? null,
      input.at,
      input.installedBy?.id ?? null,
      input.installedBy?.name ?? null,
      input.installedBy?.login ?? null,
    ],
  );
  return rows[0]!.id;
}

/** Records a use of the account (SPEC §4.2 inactivity); written at most once an hour. */
export async function touchAccount(db: Queryable, accountId: string, at: Date): Promise<void> {
  await db.query(`update accounts set last_used_at = $2 where id = $1 and (last_used_at is null or last_used_at < $2::timestamptz - interval '1 hour')`, [
    accountId,
    at,
  ]);
}

export async function saveTokens(
  db: Queryable,
  input: { accountId: string; accessTokenEnc: string; refreshTokenEnc: string; accessExpiresAt: Date; at: Date },
): Promise<void> {
  await db.query(
    `insert into kommo_tokens (account_id, access_token_enc, refresh_token_enc, access_expires_at, updated_at)
     values ($1, $2, $3, $4, $5)
     on conflict (account_id) do update set access_token_enc = excluded.access_token_enc,
       refresh_token_enc = excluded.refresh_token_enc, access_expires_at = excluded.access_expires_at,
       updated_at = excluded.updated_at`,
    [input.accountId, input.accessTokenEnc, input.refreshTokenEnc, input.accessExpiresAt, input.at],
  );
}

export async function findTokens(db: Queryable, accountId: string) {
  const rows = await db.query<{ access_token_enc: string; refresh_token_enc: string; access_expires_at: Date }>(
    'select access_token_enc, refresh_token_enc, access_expires_at from kommo_tokens where account_id = $1',
    [accountId],
  );
  return rows[0];
}

/** Stores a refreshed pair only if the stored refresh token is still the one used (compare-and-set); true if stored. */
export async function replaceTokens(
  db: Queryable,
  input: { accountId: string; accessTokenEnc: string; refreshTokenEnc: string; accessExpiresAt: Date; at: Date; usedRefreshTokenEnc: string },
): Promise<boolean> {
  const stored = await db.query(
    `update kommo_tokens set access_token_enc = $2, refresh_token_enc = $3, access_expires_at = $4, updated_at = $5
     where account_id = $1 and refresh_token_enc = $6 returning account_id`,
    [input.accountId, input.accessTokenEnc, input.refreshTokenEnc, input.accessExpiresAt, input.at, input.usedRefreshTokenEnc],
  );
  return stored.length > 0;
}

/** Marks the account uninstalled and drops its Kommo tokens; everything else is kept for the retention period. */
export async function markUninstalled(db: Queryable, accountId: string, at: Date): Promise<void> {
  await db.query(`update accounts set status = 'uninstalled', uninstalled_at = $2, updated_at = $2 where id = $1`, [accountId, at]);
  await db.query('delete from kommo_tokens where account_id = $1', [accountId]);
}

/** Stores the Kommo plan an admin's browser reported; answers the name it replaced. */
export async function recordKommoPlan(db: Queryable, accountId: string, plan: { name: string; paidTill?: string }, at: Date): Promise<string | null> {
  const [row] = await db.query<{ before: string | null }>(
    `update accounts a set kommo_plan_name = $2, kommo_plan_paid_till = $3, kommo_plan_seen_at = $4
     from (select kommo_plan_name from accounts where id = $1 for update) old
     where a.id = $1 returning old.kommo_plan_name as before`,
    [accountId, plan.name, plan.paidTill ?? null, at],
  );
  return row?.before ?? null;
}
