import { Router } from 'express';
import { SessionRequest } from '../../../contract/session';
import { unauthorized } from '../http/app-error';
import { parse } from '../http/parse';
import type { SessionService } from './session-service';

export function sessionRoutes(sessions: SessionService): Router {
  const router = Router();
  router.post('/session', async (req, res) => {
    const kommoToken = req.header('x-auth-token');
    if (!kommoToken) throw unauthorized('missing_token', 'The X-Auth-Token header with Kommo’s one-time token is required.');
    const body = parse(SessionRequest, req.body ?? {}, 'body');
    res.status(201).json(await sessions.open(kommoToken, body));
  });
  return router;
}
