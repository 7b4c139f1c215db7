import { Router } from 'express';
import { UpdateSettingsInput } from '../../../contract/licence';
import { requireAdmin, sessionOf } from '../auth/require-session';
import { parse } from '../http/parse';
import type { SettingsService } from './settings-service';

/** The account's own Wabridge settings, kept on our side (never in Kommo's widget settings). */
export function settingsRoutes(settings: SettingsService): Router {
  const router = Router();

  router.get('/settings', async (_req, res) => {
    res.json(await settings.read(sessionOf(res).accountId));
  });

  router.patch('/settings', async (req, res) => {
    const session = requireAdmin(res);
    const input = parse(UpdateSettingsInput, req.body, 'body');
    res.json(await settings.update(session.accountId, session.userId, input));
  });

  return router;
}
