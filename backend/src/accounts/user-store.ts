import type { Queryable } from '../store/db';

export interface UserRow {
  account_id: string;
  kommo_user_id: string;
  name: string | null;
  is_admin: boolean;
  enabled: boolean;
  last_seen_at: Date;
}

/** Records a user on each session; the admin flag follows Kommo's latest word. */
export async function upsertSeenUser(
  db: Queryable,
  input: { accountId: string; userId: number; name?: string; isAdmin: boolean; at: Date },
): Promise<UserRow> {
  const rows = await db.query<UserRow>(
    `insert into account_users (account_id, kommo_user_id, name, is_admin, first_seen_at, last_seen_at)
     values ($1, $2, $3, $4, $5, $5)
     on conflict (account_id, kommo_user_id) do update set
       name = coalesce(excluded.name, account_users.name), is_admin = excluded.is_admin, last_seen_at = excluded.last_seen_at
     returning *`,
    [input.accountId, input.userId, input.name ?? null, input.isAdmin, input.at],
  );
  return rows[0]!;
}

export async function findUser(db: Queryable, accountId: string, userId: number): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>('select * from account_users where account_id = $1 and kommo_user_id = $2', [accountId, userId]);
  return rows[0];
}

export async function listUsers(db: Queryable, accountId: string): Promise<UserRow[]> {
  return db.query<UserRow>('select * from account_users where account_id = $1 order by is_admin desc, name, kommo_user_id', [accountId]);
}

export async function setUserEnabled(db: Queryable, accountId: string, userId: number, enabled: boolean): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>(
    'update account_users set enabled = $3 where account_id = $1 and kommo_user_id = $2 returning *',
    [accountId, userId, enabled],
  );
  return rows[0];
}
