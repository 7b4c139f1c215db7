import { Router } from 'express';
import { z } from 'zod';
import type { KommoTokenVerifier } from '../auth/kommo-token';
import { forbidden, unauthorized } from '../http/app-error';
import { parse } from '../http/parse';
import type { AccountService } from './account-service';

const TeamSetting = z.object({
  team: z.record(z.string().regex(/^\d{1,12}$/, 'must be Kommo user ids'), z.string().max(100)).refine((t) => Object.keys(t).length <= 2000, 'too many users'),
});

/**
 * Kommo's widget settings hold a `users` field, one text per CRM user. When the admin saves the
 * settings, the loader sends it here with Kommo's one-time token, and we mirror it as who may use
 * Wabridge — including users who never opened the widget yet.
 */
export function teamSettingRoutes(deps: { accounts: AccountService; kommoTokens: KommoTokenVerifier }): Router {
  const router = Router();
  router.put('/team/kommo-setting', async (req, res) => {
    const kommoToken = req.header('x-auth-token');
    if (!kommoToken) throw unauthorized('missing_token', 'The X-Auth-Token header with Kommo’s one-time token is required.');
    const { team } = parse(TeamSetting, req.body, 'body');
    const claims = await deps.kommoTokens.verify(kommoToken);
    if (claims.is_admin !== true) throw forbidden('admin_only', 'Only a Kommo administrator can do this.');
    res.json({ users: await deps.accounts.mirrorTeamSetting(claims.account_id, claims.user_id, team) });
  });
  return router;
}
