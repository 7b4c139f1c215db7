import type { Queryable } from '../store/db';

export interface UserRow {
  account_id: string;
  kommo_user_id: string;
  /** As Kommo's users API gave it; null until read. */
  name: string | null;
  name_synced_at: Date | null;
  is_admin: boolean;
  enabled: boolean;
  last_seen_at: Date;
}

/** Records a user on each session; the admin flag follows Kommo's latest word (its signed token). */
export async function upsertSeenUser(db: Queryable, input: { accountId: string; userId: number; isAdmin: boolean; at: Date }): Promise<UserRow> {
  const rows = await db.query<UserRow>(
    `insert into account_users (account_id, kommo_user_id, is_admin, first_seen_at, last_seen_at)
     values ($1, $2, $3, $4, $4)
     on conflict (account_id, kommo_user_id) do update set is_admin = excluded.is_admin, last_seen_at = excluded.last_seen_at
     returning *`,
    [input.accountId, input.userId, input.isAdmin, input.at],
  );
  return rows[0]!;
}

/**
 * A user as Kommo's users API describes them: the name is stored with when it was read. A user new
 * to us gets Kommo's admin flag too; a known one keeps the flag of their own last sign-in.
 */
export async function recordKommoUser(
  db: Queryable,
  input: { accountId: string; userId: number; name: string | null; isAdmin: boolean; at: Date },
): Promise<void> {
  await db.query(
    `insert into account_users (account_id, kommo_user_id, name, name_synced_at, is_admin, first_seen_at, last_seen_at)
     values ($1, $2, $3, $4, $5, $4, $4)
     on conflict (account_id, kommo_user_id) do update set name = excluded.name, name_synced_at = excluded.name_synced_at`,
    [input.accountId, input.userId, input.name, input.at, input.isAdmin],
  );
}

export async function findUser(db: Queryable, accountId: string, userId: number): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>('select * from account_users where account_id = $1 and kommo_user_id = $2', [accountId, userId]);
  return rows[0];
}

export async function listUsers(db: Queryable, accountId: string): Promise<UserRow[]> {
  return db.query<UserRow>('select * from account_users where account_id = $1 order by is_admin desc, name, kommo_user_id', [accountId]);
}

export async function setUserEnabled(db: Queryable, accountId: string, userId: number, enabled: boolean): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>('update account_users set enabled = $3 where account_id = $1 and kommo_user_id = $2 returning *', [
    accountId,
    userId,
    enabled,
  ]);
  return rows[0];
}

/** A known user's name as Kommo's users API gave it now (a user erased meanwhile is not brought back). */
export async function setNameFromKommo(db: Queryable, input: { accountId: string; userId: number; name: string | null; at: Date }): Promise<void> {
  await db.query('update account_users set name = $3, name_synced_at = $4 where account_id = $1 and kommo_user_id = $2', [
    input.accountId,
    input.userId,
    input.name,
    input.at,
  ]);
}

/** Who may use Wabridge as the admin set it in Kommo's widget settings; a user not seen yet is recorded now. */
export async function mirrorUserEnabled(db: Queryable, input: { accountId: string; userId: number; enabled: boolean; at: Date }): Promise<void> {
  await db.query(
    `insert into account_users (account_id, kommo_user_id, enabled, first_seen_at, last_seen_at) values ($1, $2, $3, $4, $4)
     on conflict (account_id, kommo_user_id) do update set enabled = excluded.enabled`,
    [input.accountId, input.userId, input.enabled, input.at],
  );
}
