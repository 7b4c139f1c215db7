import { AUTOMATION_LIMIT, DpAutomationInput, type DpAutomationView } from '../../../contract/automation';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { AppError, badRequest, notFound } from '../http/app-error';
import { parse } from '../http/parse';
import type { LicenceService } from '../licensing/licence-service';
import type { Queryable } from '../store/db';
import { newAutomationId } from './automation-rules';
import type { AutomationFields, AutomationStore } from './automation-store';

const NOT_FOUND = 'No such digital-pipeline automation in this account.';

/**
 * The admin's digital-pipeline automations (SPEC §7): made and changed by admins on Kommo Advanced
 * or higher; any user of the account may list them. Deleting one is always allowed.
 */
export function createAutomationService(deps: { store: AutomationStore; clock: Clock; licences: LicenceService }) {
  const { store, clock } = deps;

  /** The body as the contract reads it, naming only a number of this account. */
  async function checked(q: Queryable, accountId: string, body: unknown): Promise<AutomationFields> {
    const input = parse(DpAutomationInput, body, 'body');
    if (input.numberId && !(await store.numberBelongs(q, accountId, input.numberId))) {
      throw badRequest('invalid_request', 'The request body is not valid: body.numberId.', [
        { path: 'body.numberId', message: 'is not a number connected to this account' },
      ]);
    }
    return input;
  }

  return {
    list: (accountId: string): Promise<DpAutomationView[]> => store.list(accountId),

    async create(accountId: string, userId: number, body: unknown): Promise<DpAutomationView | undefined> {
      await deps.licences.require(accountId, 'automation');
      const at = clock.now();
      const id = newAutomationId();
      return store.transaction(async (tx) => {
        const fields = await checked(tx, accountId, body);
        if ((await store.count(tx, accountId)) >= AUTOMATION_LIMIT)
          throw new AppError('too_many_automations', `An account can have ${AUTOMATION_LIMIT} digital-pipeline automations; delete one first.`, 409);
        await store.insert(tx, { ...fields, id, accountId, createdBy: userId, at });
        await recordAudit(tx, {
          accountId,
          actor: `user:${userId}`,
          action: 'automation.created',
          details: { automationId: id, name: fields.name, template: fields.template },
          at,
        });
        return store.view(tx, accountId, id);
      });
    },

    async update(accountId: string, userId: number, automationId: string, body: unknown): Promise<DpAutomationView | undefined> {
      await deps.licences.require(accountId, 'automation');
      const at = clock.now();
      return store.transaction(async (tx) => {
        const fields = await checked(tx, accountId, body);
        if (!(await store.update(tx, accountId, automationId, fields, at))) throw notFound(NOT_FOUND);
        await recordAudit(tx, {
          accountId,
          actor: `user:${userId}`,
          action: 'automation.updated',
          details: { automationId, name: fields.name, template: fields.template },
          at,
        });
        return store.view(tx, accountId, automationId);
      });
    },

    async remove(accountId: string, userId: number, automationId: string): Promise<void> {
      const at = clock.now();
      await store.transaction(async (tx) => {
        if (!(await store.remove(tx, accountId, automationId))) throw notFound(NOT_FOUND);
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'automation.deleted', details: { automationId }, at });
      });
    },
  };
}
export type AutomationService = ReturnType<typeof createAutomationService>;
