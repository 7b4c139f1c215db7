import { Router } from 'express';
import { UpdateUserRequest, UserIdParams, type MeResponse, type UserList } from '../../../contract/account';
import { recordAudit } from '../audit/audit-log';
import { requireAdmin, sessionOf } from '../auth/require-session';
import type { Clock } from '../clock';
import { badRequest, notFound } from '../http/app-error';
import { parse } from '../http/parse';
import { findAccount } from '../kommo/account-store';
import { publishAccessChange } from '../live/live-events';
import type { Db } from '../store/db';
import { findUser, listUsers, setUserEnabled } from './user-store';
import { accountView, userView } from './views';

/** The signed-in account and user, and the admin's control over which users may use the widget. */
export function accountRoutes(deps: { db: Db; clock: Clock }): Router {
  const router = Router();

  router.get('/me', async (_req, res) => {
    const session = sessionOf(res);
    const [account, user] = await Promise.all([findAccount(deps.db, session.accountId), findUser(deps.db, session.accountId, session.userId)]);
    if (!account || !user) throw notFound();
    const body: MeResponse = { account: accountView(account), user: userView(user) };
    res.json(body);
  });

  router.get('/users', async (_req, res) => {
    const session = requireAdmin(res);
    const body: UserList = { users: (await listUsers(deps.db, session.accountId)).map(userView) };
    res.json(body);
  });

  router.get('/users/:userId', async (req, res) => {
    const session = requireAdmin(res);
    const { userId } = parse(UserIdParams, req.params, 'params');
    const user = await findUser(deps.db, session.accountId, userId);
    if (!user) throw notFound('No such user in this account.');
    res.json(userView(user));
  });

  router.patch('/users/:userId', async (req, res) => {
    const session = requireAdmin(res);
    const { userId } = parse(UserIdParams, req.params, 'params');
    const { enabled } = parse(UpdateUserRequest, req.body, 'body');
    if (userId === session.userId && !enabled) throw badRequest('cannot_disable_self', 'You cannot disable Wabridge for yourself.');
    const user = await deps.db.transaction(async (tx) => {
      const updated = await setUserEnabled(tx, session.accountId, userId, enabled);
      if (updated) {
        // Open live streams of a disabled user close now (SPEC §9).
        await publishAccessChange(tx, session.accountId);
        await recordAudit(tx, {
          accountId: session.accountId,
          actor: `user:${session.userId}`,
          action: enabled ? 'user.enabled' : 'user.disabled',
          details: { userId },
          at: deps.clock.now(),
        });
      }
      return updated;
    });
    if (!user) throw notFound('No such user in this account.');
    res.json(userView(user));
  });

  return router;
}
