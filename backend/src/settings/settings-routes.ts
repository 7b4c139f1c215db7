import { Router } from 'express';
import { UpdateSettingsInput, type AccountSettings } from '../../../contract/licence';
import { recordAudit } from '../audit/audit-log';
import { requireAdmin, sessionOf } from '../auth/require-session';
import type { Clock } from '../clock';
import { parse } from '../http/parse';
import type { LicenceService } from '../licensing/licence-service';
import type { Db, Queryable } from '../store/db';

async function readSettings(db: Queryable, accountId: string): Promise<AccountSettings> {
  const [row] = await db.query<{ auto_create_from_inbound: boolean; reply_tasks: boolean }>('select auto_create_from_inbound, reply_tasks from account_settings where account_id = $1', [accountId]);
  return { autoCreateFromInbound: row?.auto_create_from_inbound ?? false, replyTasks: row?.reply_tasks ?? false };
}

/** The account's own Wabridge settings, kept on our side (never in Kommo's widget settings). */
export function settingsRoutes(deps: { db: Db; clock: Clock; licences: LicenceService }): Router {
  const router = Router();

  router.get('/settings', async (_req, res) => {
    res.json(await readSettings(deps.db, sessionOf(res).accountId));
  });

  router.patch('/settings', async (req, res) => {
    const session = requireAdmin(res);
    const input = parse(UpdateSettingsInput, req.body, 'body');
    // Turning on automatic contact and lead creation needs Kommo Advanced or higher; turning it off never does.
    if (input.autoCreateFromInbound) await deps.licences.require(session.accountId, 'auto_create');
    const at = deps.clock.now();
    await deps.db.transaction(async (tx) => {
      const next = { ...(await readSettings(tx, session.accountId)), ...input };
      await tx.query(
        `insert into account_settings (account_id, auto_create_from_inbound, reply_tasks, updated_at, updated_by) values ($1, $2, $3, $4, $5)
         on conflict (account_id) do update set auto_create_from_inbound = excluded.auto_create_from_inbound, reply_tasks = excluded.reply_tasks,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [session.accountId, next.autoCreateFromInbound, next.replyTasks, at, session.userId],
      );
      await recordAudit(tx, { accountId: session.accountId, actor: `user:${session.userId}`, action: 'settings.updated', details: input, at });
    });
    res.json(await readSettings(deps.db, session.accountId));
  });

  return router;
}
