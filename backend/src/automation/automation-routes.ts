import { Router } from 'express';
import { AUTOMATION_LIMIT, DpAutomationIdParams, DpAutomationInput } from '../../../contract/automation';
import { recordAudit } from '../audit/audit-log';
import { requireAdmin, sessionOf } from '../auth/require-session';
import type { Clock } from '../clock';
import { AppError, badRequest, notFound } from '../http/app-error';
import { parse } from '../http/parse';
import type { LicenceService } from '../licensing/licence-service';
import type { Db, Queryable } from '../store/db';
import { newAutomationId } from './automation-rules';
import type { AutomationFields, AutomationStore } from './automation-store';

const NOT_FOUND = 'No such digital-pipeline automation in this account.';

/**
 * The admin's digital-pipeline automations (SPEC §7), in the widget: made and changed by admins
 * on Kommo Advanced or higher; any user of the account may list them (Kommo's action settings form
 * picks one by name). Deleting one is always allowed.
 */
export function automationRoutes(deps: { db: Db; store: AutomationStore; clock: Clock; licences: LicenceService }): Router {
  const router = Router();
  const { db, store, clock } = deps;

  async function checked(q: Queryable, accountId: string, body: unknown): Promise<AutomationFields> {
    const input = parse(DpAutomationInput, body, 'body');
    if (input.numberId && !(await store.numberBelongs(q, accountId, input.numberId))) {
      throw badRequest('invalid_request', 'The request body is not valid: body.numberId.', [{ path: 'body.numberId', message: 'is not a number connected to this account' }]);
    }
    return input;
  }

  router.get('/automations', async (_req, res) => {
    res.json({ automations: await store.list(sessionOf(res).accountId) });
  });

  router.post('/automations', async (req, res) => {
    const session = requireAdmin(res);
    await deps.licences.require(session.accountId, 'automation');
    const at = clock.now();
    const id = newAutomationId();
    const view = await db.transaction(async (tx) => {
      const fields = await checked(tx, session.accountId, req.body);
      if ((await store.count(tx, session.accountId)) >= AUTOMATION_LIMIT) throw new AppError('too_many_automations', `An account can have ${AUTOMATION_LIMIT} digital-pipeline automations; delete one first.`, 409);
      await store.insert(tx, { ...fields, id, accountId: session.accountId, createdBy: session.userId, at });
      await recordAudit(tx, { accountId: session.accountId, actor: `user:${session.userId}`, action: 'automation.created', details: { automationId: id, name: fields.name, template: fields.template }, at });
      return store.view(tx, session.accountId, id);
    });
    res.status(201).json(view);
  });

  router.put('/automations/:automationId', async (req, res) => {
    const session = requireAdmin(res);
    const { automationId } = parse(DpAutomationIdParams, req.params, 'params');
    await deps.licences.require(session.accountId, 'automation');
    const at = clock.now();
    const view = await db.transaction(async (tx) => {
      const fields = await checked(tx, session.accountId, req.body);
      if (!(await store.update(tx, session.accountId, automationId, fields, at))) throw notFound(NOT_FOUND);
      await recordAudit(tx, { accountId: session.accountId, actor: `user:${session.userId}`, action: 'automation.updated', details: { automationId, name: fields.name, template: fields.template }, at });
      return store.view(tx, session.accountId, automationId);
    });
    res.json(view);
  });

  router.delete('/automations/:automationId', async (req, res) => {
    const session = requireAdmin(res);
    const { automationId } = parse(DpAutomationIdParams, req.params, 'params');
    const at = clock.now();
    await db.transaction(async (tx) => {
      if (!(await store.remove(tx, session.accountId, automationId))) throw notFound(NOT_FOUND);
      await recordAudit(tx, { accountId: session.accountId, actor: `user:${session.userId}`, action: 'automation.deleted', details: { automationId }, at });
    });
    res.status(204).end();
  });

  return router;
}
