import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit-log';
import { DAY_MS, type Clock } from '../clock';
import { AppError } from '../http/app-error';
import { INACTIVITY, unusedSince } from '../licensing/inactivity';
import { publishAccessChange } from '../live/live-events';
import type { Db, Queryable } from '../store/db';
import {
  accountsToErase,
  accountsToPurge,
  accountsToSuspend,
  consentWithdrawnAt,
  deleteAccount,
  deleteProcessedInboxBefore,
  erasePersonalData,
  INBOX_KEEP_DAYS,
  markConsentWithdrawn,
  suspendAccount,
  takePurgeLock,
} from './personal-data-store';

/** SPEC §9: personal data goes within 30 days of a withdrawal; everything 90 days after uninstall or expiry. */
export const CONSENT_DELETION_DAYS = 30;
export const RETENTION_DAYS = 90;
/** Accounts unused for 90 days: their WhatsApp numbers are disconnected (tokens deleted with them), once per stretch of disuse. */
async function suspendUnused(tx: Queryable, now: Date): Promise<number> {
  const unused = await accountsToSuspend(tx, unusedSince(INACTIVITY.suspendOnDay, now), now);
  for (const id of unused) {
    const numbersDisconnected = await suspendAccount(tx, id, now);
    await recordAudit(tx, { accountId: id, actor: 'system', action: 'account.suspended', details: { reason: 'inactivity', numbersDisconnected }, at: now });
  }
  return unused.length;
}

export function createPrivacyService(deps: { db: Db; clock: Clock; logger: Logger }) {
  const { db, clock } = deps;

  return {
    async consent(accountId: string) {
      const withdrawnAt = await consentWithdrawnAt(db, accountId);
      const at = withdrawnAt ? new Date(withdrawnAt) : null;
      return { withdrawnAt: at?.toISOString() ?? null, deletionDueBy: at ? new Date(at.getTime() + CONSENT_DELETION_DAYS * DAY_MS).toISOString() : null };
    },

    /** The admin withdraws consent: the widget stops for the account at once; the data goes at the next purge. */
    async withdrawConsent(accountId: string, userId: number) {
      const at = clock.now();
      await db.transaction(async (tx) => {
        if (!(await markConsentWithdrawn(tx, accountId, at)))
          throw new AppError('consent_already_withdrawn', 'Consent was already withdrawn for this account.', 409);
        await publishAccessChange(tx, accountId);
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'consent.withdrawn', at });
      });
      return this.consent(accountId);
    },

    /**
     * The scheduled purge. Personal data of accounts that withdrew consent is deleted (the account row
     * stays, marked, so Kommo's hooks and the demo-once rule keep working, with its accounting
     * records). Accounts uninstalled or expired for 90 days, and accounts unused for 180 days, are
     * deleted whole; accounts unused for 90 days are suspended (SPEC §4.2). What each table gets is
     * in docs/privacy.md.
     */
    async purge(): Promise<{ personalDataDeleted: number; accountsPurged: number; accountsSuspended: number }> {
      const now = clock.now();
      const cutoff = new Date(now.getTime() - RETENTION_DAYS * DAY_MS);
      return db.transaction(async (tx) => {
        // Several instances may run the schedule; one purges, the others skip this round.
        if (!(await takePurgeLock(tx))) return { personalDataDeleted: 0, accountsPurged: 0, accountsSuspended: 0 };
        const withdrawn = await accountsToErase(tx);
        for (const id of withdrawn) {
          await erasePersonalData(tx, id, now);
          await recordAudit(tx, { accountId: id, actor: 'system', action: 'personal_data.deleted', at: now });
        }
        const suspended = await suspendUnused(tx, now);
        const expired = await accountsToPurge(tx, cutoff, unusedSince(INACTIVITY.purgeOnDay, now), now);
        for (const id of expired) {
          // Rows outside the account's cascade (webhook bodies, early statuses, leases) go first.
          await erasePersonalData(tx, id, now);
          await deleteAccount(tx, id);
        }
        await deleteProcessedInboxBefore(tx, new Date(now.getTime() - INBOX_KEEP_DAYS * DAY_MS));
        const result = { personalDataDeleted: withdrawn.length, accountsPurged: expired.length, accountsSuspended: suspended };
        if (withdrawn.length || expired.length || suspended) deps.logger.info(result, 'data purged');
        return result;
      });
    },
  };
}
export type PrivacyService = ReturnType<typeof createPrivacyService>;
