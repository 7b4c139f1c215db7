import type { Queryable } from '../store/db';

export interface AuditEntry {
  accountId: string | null;
  /** `kommo`, `user:<id>`, `operator` or `system`. */
  actor: string;
  action: string;
  details?: Record<string, unknown>;
  at: Date;
}

/** Records who did what and when (SPEC §9), inside the caller's transaction. */
export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query('insert into audit_log (account_id, actor, action, details, at) values ($1, $2, $3, $4, $5)', [
    entry.accountId,
    entry.actor,
    entry.action,
    JSON.stringify(entry.details ?? {}),
    entry.at,
  ]);
}
