import { Router } from 'express';
import { UpdateUserRequest, UserIdParams, type MeResponse, type UserList } from '../../../contract/account';
import { requireAdmin, sessionOf } from '../auth/require-session';
import { parse } from '../http/parse';
import type { AccountService } from './account-service';

/** The signed-in account and user, and the admin's control over which users may use the widget. */
export function accountRoutes(accounts: AccountService): Router {
  const router = Router();

  router.get('/me', async (_req, res) => {
    const session = sessionOf(res);
    const body: MeResponse = await accounts.me(session.accountId, session.userId);
    res.json(body);
  });

  router.get('/users', async (_req, res) => {
    const session = requireAdmin(res);
    const body: UserList = { users: await accounts.users(session.accountId) };
    res.json(body);
  });

  router.get('/users/:userId', async (req, res) => {
    const session = requireAdmin(res);
    const { userId } = parse(UserIdParams, req.params, 'params');
    res.json(await accounts.user(session.accountId, userId));
  });

  router.patch('/users/:userId', async (req, res) => {
    const session = requireAdmin(res);
    const { userId } = parse(UserIdParams, req.params, 'params');
    const { enabled } = parse(UpdateUserRequest, req.body, 'body');
    res.json(await accounts.setEnabled(session.accountId, session.userId, userId, enabled));
  });

  return router;
}
