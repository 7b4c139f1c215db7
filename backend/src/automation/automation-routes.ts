import { Router } from 'express';
import { DpAutomationIdParams } from '../../../contract/automation';
import { requireAdmin, sessionOf } from '../auth/require-session';
import { parse } from '../http/parse';
import type { AutomationService } from './automation-service';

/**
 * The admin's digital-pipeline automations (SPEC §7), in the widget: made and changed by admins
 * on Kommo Advanced or higher; any user of the account may list them (Kommo's action settings form
 * picks one by name). Deleting one is always allowed.
 */
export function automationRoutes(automations: AutomationService): Router {
  const router = Router();

  router.get('/automations', async (_req, res) => {
    res.json({ automations: await automations.list(sessionOf(res).accountId) });
  });

  router.post('/automations', async (req, res) => {
    const session = requireAdmin(res);
    res.status(201).json(await automations.create(session.accountId, session.userId, req.body));
  });

  router.put('/automations/:automationId', async (req, res) => {
    const session = requireAdmin(res);
    const { automationId } = parse(DpAutomationIdParams, req.params, 'params');
    res.json(await automations.update(session.accountId, session.userId, automationId, req.body));
  });

  router.delete('/automations/:automationId', async (req, res) => {
    const session = requireAdmin(res);
    const { automationId } = parse(DpAutomationIdParams, req.params, 'params');
    await automations.remove(session.accountId, session.userId, automationId);
    res.status(204).end();
  });

  return router;
}
