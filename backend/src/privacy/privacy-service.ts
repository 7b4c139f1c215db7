import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { AppError } from '../http/app-error';
import type { Db } from '../store/db';

/** SPEC §9: personal data goes within 30 days of a withdrawal; everything 90 days after uninstall or expiry. */
export const CONSENT_DELETION_DAYS = 30;
export const RETENTION_DAYS = 90;
const DAY = 86_400_000;
const PURGE_LOCK = 728_451_994;

export function createPrivacyService(deps: { db: Db; clock: Clock; logger: Logger }) {
  const { db, clock } = deps;

  return {
    async consent(accountId: string) {
      const [row] = await db.query<{ consent_withdrawn_at: Date | null }>('select consent_withdrawn_at from accounts where id = $1', [accountId]);
      const at = row?.consent_withdrawn_at ? new Date(row.consent_withdrawn_at) : null;
      return { withdrawnAt: at?.toISOString() ?? null, deletionDueBy: at ? new Date(at.getTime() + CONSENT_DELETION_DAYS * DAY).toISOString() : null };
    },

    /** The admin withdraws consent: the widget stops for the account at once; the data goes at the next purge. */
    async withdrawConsent(accountId: string, userId: number) {
      const at = clock.now();
      await db.transaction(async (tx) => {
        const rows = await tx.query('update accounts set consent_withdrawn_at = $2, updated_at = $2 where id = $1 and consent_withdrawn_at is null returning id', [accountId, at]);
        if (!rows.length) throw new AppError('consent_already_withdrawn', 'Consent was already withdrawn for this account.', 409);
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'consent.withdrawn', at });
      });
      return this.consent(accountId);
    },

    /**
     * The scheduled purge. Personal data of accounts that withdrew consent is deleted (the account row
     * stays, marked, so Kommo's hooks and the demo-once rule keep working); accounts uninstalled or
     * expired for 90 days are deleted whole.
     */
    async purge(): Promise<{ personalDataDeleted: number; accountsPurged: number }> {
      const now = clock.now();
      const cutoff = new Date(now.getTime() - RETENTION_DAYS * DAY);
      return db.transaction(async (tx) => {
        // Several instances may run the schedule; one purges, the others skip this round.
        const [lock] = await tx.query<{ locked: boolean }>('select pg_try_advisory_xact_lock($1) as locked', [PURGE_LOCK]);
        if (!lock?.locked) return { personalDataDeleted: 0, accountsPurged: 0 };
        const withdrawn = await tx.query<{ id: string }>(
          'select id from accounts where consent_withdrawn_at is not null and personal_data_deleted_at is null',
        );
        for (const { id } of withdrawn) {
          await tx.query('delete from registrations where account_id = $1', [id]);
          await tx.query('update account_users set name = null where account_id = $1', [id]);
          await tx.query('delete from kommo_tokens where account_id = $1', [id]);
          await tx.query('update accounts set name = null, installed_by_name = null, personal_data_deleted_at = $2 where id = $1', [id, now]);
          await recordAudit(tx, { accountId: id, actor: 'system', action: 'personal_data.deleted', at: now });
        }
        const expired = await tx.query<{ id: string }>(
          `select a.id from accounts a
           where (a.status = 'uninstalled' and a.uninstalled_at <= $1)
              or (a.status = 'active' and exists (select 1 from licence_periods p where p.account_id = a.id)
                  and not exists (select 1 from licence_periods p where p.account_id = a.id and p.ends_at > $1))`,
          [cutoff],
        );
        for (const { id } of expired) await tx.query('delete from accounts where id = $1', [id]);
        if (withdrawn.length || expired.length) deps.logger.info({ personalDataDeleted: withdrawn.length, accountsPurged: expired.length }, 'data purged');
        return { personalDataDeleted: withdrawn.length, accountsPurged: expired.length };
      });
    },
  };
}
export type PrivacyService = ReturnType<typeof createPrivacyService>;
