import { Router } from 'express';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import type { KommoTokenVerifier } from '../auth/kommo-token';
import type { Clock } from '../clock';
import { forbidden, unauthorized } from '../http/app-error';
import { parse } from '../http/parse';
import { findAccountByKommoId } from '../kommo/account-store';
import { publishAccessChange } from '../live/live-events';
import type { Db } from '../store/db';
import { listUsers } from './user-store';
import { userView } from './views';

/** What the admin typed per user in Kommo's `team` setting (type `users`): these words block, anything else allows. */
const BLOCK = /^(no|0|off|false|block|нет|não|nao)$/i;

const TeamSetting = z.object({
  team: z.record(z.string().regex(/^\d{1,12}$/, 'must be Kommo user ids'), z.string().max(100)).refine((t) => Object.keys(t).length <= 2000, 'too many users'),
});

/**
 * Kommo's widget settings hold a `users` field, one text per CRM user. When the admin saves the
 * settings, the loader sends it here with Kommo's one-time token, and we mirror it as who may use
 * Wabridge — including users who never opened the widget yet.
 */
export function teamSettingRoutes(deps: { db: Db; clock: Clock; kommoTokens: KommoTokenVerifier }): Router {
  const router = Router();
  router.put('/team/kommo-setting', async (req, res) => {
    const kommoToken = req.header('x-auth-token');
    if (!kommoToken) throw unauthorized('missing_token', 'The X-Auth-Token header with Kommo’s one-time token is required.');
    const { team } = parse(TeamSetting, req.body, 'body');
    const claims = await deps.kommoTokens.verify(kommoToken);
    if (claims.is_admin !== true) throw forbidden('admin_only', 'Only a Kommo administrator can do this.');
    const account = await findAccountByKommoId(deps.db, claims.account_id);
    if (!account || account.status !== 'active' || account.consent_withdrawn_at) throw forbidden('account_not_installed', 'Wabridge is not installed in this Kommo account.');
    const at = deps.clock.now();
    await deps.db.transaction(async (tx) => {
      for (const [id, text] of Object.entries(team)) {
        const userId = Number(id);
        // An admin never locks themself out from Kommo's settings either.
        const enabled = userId === claims.user_id || !BLOCK.test(text.trim());
        await tx.query(
          `insert into account_users (account_id, kommo_user_id, enabled, first_seen_at, last_seen_at) values ($1, $2, $3, $4, $4)
           on conflict (account_id, kommo_user_id) do update set enabled = excluded.enabled`,
          [account.id, userId, enabled, at],
        );
      }
      await publishAccessChange(tx, account.id);
      await recordAudit(tx, { accountId: account.id, actor: `user:${claims.user_id}`, action: 'team.mirrored', details: { users: Object.keys(team).length }, at });
    });
    res.json({ users: (await listUsers(deps.db, account.id)).map(userView) });
  });
  return router;
}
