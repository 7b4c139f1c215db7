import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit-log';
import { DAY_MS, type Clock } from '../clock';
import { AppError } from '../http/app-error';
import { INACTIVITY, unusedSince } from '../licensing/inactivity';
import { publishAccessChange } from '../live/live-events';
import type { Db, Queryable } from '../store/db';
import { deleteProcessedInboxBefore, erasePersonalData, INBOX_KEEP_DAYS } from './personal-data-store';

/** SPEC §9: personal data goes within 30 days of a withdrawal; everything 90 days after uninstall or expiry. */
export const CONSENT_DELETION_DAYS = 30;
export const RETENTION_DAYS = 90;
const PURGE_LOCK = 728_451_994;
/** The account `a` has no paid licence in force at the moment `at` (a parameter); a demo does not count. */
const noPaidLicence = (at: string) => `not exists (select 1 from licence_periods p where p.account_id = a.id and p.plan <> 'demo' and p.starts_at <= ${at} and p.ends_at > ${at})`;

/** Accounts unused for 90 days: their WhatsApp numbers are disconnected (tokens deleted with them), once per stretch of disuse. */
async function suspendUnused(tx: Queryable, now: Date): Promise<number> {
  const rows = await tx.query<{ id: string }>(
    `select a.id from accounts a
      where a.consent_withdrawn_at is null and coalesce(a.last_used_at, a.installed_at) <= $1
        and (a.suspended_at is null or a.suspended_at < coalesce(a.last_used_at, a.installed_at)) and ${noPaidLicence('$2')}`,
    [unusedSince(INACTIVITY.suspendOnDay, now), now],
  );
  for (const { id } of rows) {
    const numbers = await tx.query<{ id: string }>('delete from whatsapp_numbers where account_id = $1 returning id', [id]);
    await tx.query('update accounts set suspended_at = $2, updated_at = $2 where id = $1', [id, now]);
    await recordAudit(tx, { accountId: id, actor: 'system', action: 'account.suspended', details: { reason: 'inactivity', numbersDisconnected: numbers.length }, at: now });
  }
  return rows.length;
}

export function createPrivacyService(deps: { db: Db; clock: Clock; logger: Logger }) {
  const { db, clock } = deps;

  return {
    async consent(accountId: string) {
      const [row] = await db.query<{ consent_withdrawn_at: Date | null }>('select consent_withdrawn_at from accounts where id = $1', [accountId]);
      const at = row?.consent_withdrawn_at ? new Date(row.consent_withdrawn_at) : null;
      return { withdrawnAt: at?.toISOString() ?? null, deletionDueBy: at ? new Date(at.getTime() + CONSENT_DELETION_DAYS * DAY_MS).toISOString() : null };
    },

    /** The admin withdraws consent: the widget stops for the account at once; the data goes at the next purge. */
    async withdrawConsent(accountId: string, userId: number) {
      const at = clock.now();
      await db.transaction(async (tx) => {
        const rows = await tx.query('update accounts set consent_withdrawn_at = $2, updated_at = $2 where id = $1 and consent_withdrawn_at is null returning id', [accountId, at]);
        if (!rows.length) throw new AppError('consent_already_withdrawn', 'Consent was already withdrawn for this account.', 409);
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
        const [lock] = await tx.query<{ locked: boolean }>('select pg_try_advisory_xact_lock($1) as locked', [PURGE_LOCK]);
        if (!lock?.locked) return { personalDataDeleted: 0, accountsPurged: 0, accountsSuspended: 0 };
        const withdrawn = await tx.query<{ id: string }>(
          // Again after a reinstall (it brings back tokens, the account name and the installing admin).
          'select id from accounts where consent_withdrawn_at is not null and (personal_data_deleted_at is null or personal_data_deleted_at < updated_at)',
        );
        for (const { id } of withdrawn) {
          await erasePersonalData(tx, id, now);
          await recordAudit(tx, { accountId: id, actor: 'system', action: 'personal_data.deleted', at: now });
        }
        const suspended = await suspendUnused(tx, now);
        const expired = await tx.query<{ id: string }>(
          `select a.id from accounts a
           where (a.status = 'uninstalled' and a.uninstalled_at <= $1)
              or (a.status = 'active' and exists (select 1 from licence_periods p where p.account_id = a.id)
                  and not exists (select 1 from licence_periods p where p.account_id = a.id and p.ends_at > $1))
              or (coalesce(a.last_used_at, a.installed_at) <= $2 and ${noPaidLicence('$3')})`,
          [cutoff, unusedSince(INACTIVITY.purgeOnDay, now), now],
        );
        for (const { id } of expired) {
          // Rows outside the account's cascade (webhook bodies, early statuses, leases) go first.
          await erasePersonalData(tx, id, now);
          await tx.query('delete from accounts where id = $1', [id]);
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
