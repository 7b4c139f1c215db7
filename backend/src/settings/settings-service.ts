import type { AccountSettings } from '../../../contract/licence';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { LicenceService } from '../licensing/licence-service';
import type { Db } from '../store/db';
import { readSettings, saveSettings } from './settings-store';

/** The account's own Wabridge settings, kept on our side (never in Kommo's widget settings). */
export function createSettingsService(deps: { db: Db; clock: Clock; licences: LicenceService }) {
  const { db, clock, licences } = deps;
  return {
    read: (accountId: string): Promise<AccountSettings> => readSettings(db, accountId),

    /** An admin changes some settings; the others keep their value. */
    async update(accountId: string, userId: number, input: Partial<AccountSettings>): Promise<AccountSettings> {
      // Turning on automatic contact and lead creation needs Kommo Advanced or higher; turning it off never does.
      if (input.autoCreateFromInbound) await licences.require(accountId, 'auto_create');
      const at = clock.now();
      await db.transaction(async (tx) => {
        await saveSettings(tx, accountId, { ...(await readSettings(tx, accountId)), ...input }, { userId, at });
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'settings.updated', details: input, at });
      });
      return readSettings(db, accountId);
    },

    /** Whether an inbound message from an unknown phone may create a contact and lead in Kommo: on, and the Kommo plan allows it. */
    async mayAutoCreate(accountId: string): Promise<boolean> {
      const { autoCreateFromInbound } = await readSettings(db, accountId);
      return autoCreateFromInbound && licences.decisionFor(await licences.snapshot(accountId), 'auto_create').allowed;
    },
  };
}
export type SettingsService = ReturnType<typeof createSettingsService>;
