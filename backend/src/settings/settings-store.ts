import type { AccountSettings } from '../../../contract/licence';
import type { Queryable } from '../store/db';

/** The SQL of an account's own Wabridge settings (one row per account; none means all off). */

export async function readSettings(db: Queryable, accountId: string): Promise<AccountSettings> {
  const [row] = await db.query<{ auto_create_from_inbound: boolean; reply_tasks: boolean }>(
    'select auto_create_from_inbound, reply_tasks from account_settings where account_id = $1',
    [accountId],
  );
  return { autoCreateFromInbound: row?.auto_create_from_inbound ?? false, replyTasks: row?.reply_tasks ?? false };
}

export async function saveSettings(db: Queryable, accountId: string, settings: AccountSettings, by: { userId: number; at: Date }): Promise<void> {
  await db.query(
    `insert into account_settings (account_id, auto_create_from_inbound, reply_tasks, updated_at, updated_by) values ($1, $2, $3, $4, $5)
     on conflict (account_id) do update set auto_create_from_inbound = excluded.auto_create_from_inbound, reply_tasks = excluded.reply_tasks,
       updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [accountId, settings.autoCreateFromInbound, settings.replyTasks, by.at, by.userId],
  );
}
