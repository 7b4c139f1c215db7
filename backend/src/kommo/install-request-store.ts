import type { Clock } from '../clock';
import type { Queryable } from '../store/db';
import { durableQueue } from '../store/durable-queue';

export interface InstallRequestRow {
  id: string;
  code_enc: string;
  referer: string;
  status: 'pending' | 'done' | 'failed';
  error: string | null;
  account_id: string | null;
  received_at: Date;
}

/** Stores a hook call; false when the same code was stored before (it is exchanged once). */
export async function insertInstallRequest(
  db: Queryable,
  input: { id: string; codeEnc: string; codeHash: string; referer: string; state?: string; clientId?: string; fromWidget: boolean; at: Date },
): Promise<boolean> {
  const rows = await db.query(
    `insert into kommo_install_requests (id, code_enc, code_hash, referer, state, client_id, from_widget, status, received_at)
     values ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) on conflict (code_hash) do nothing returning id`,
    [input.id, input.codeEnc, input.codeHash, input.referer, input.state ?? null, input.clientId ?? null, input.fromWidget, input.at],
  );
  return rows.length > 0;
}

/** Forgets finished hook calls received before `before` (a code is single-use and short-lived). */
export async function purgeInstallRequests(db: Queryable, before: Date): Promise<number> {
  const rows = await db.query(`delete from kommo_install_requests where received_at < $1 and status <> 'pending' returning id`, [before]);
  return rows.length;
}

/** Leases a pending request for `leaseMs`, so that two processes never exchange the same code at once. */
export async function claimInstallRequest(db: Queryable, clock: Clock, id: string, leaseMs: number): Promise<InstallRequestRow | undefined> {
  const [row] = await durableQueue('kommo_install_requests', clock).claim<InstallRequestRow>(db, { limit: 1, leaseMs, only: [id] });
  return row;
}

/** Pending requests no process holds (a stopped one's lease ran out), oldest first. */
export async function pendingInstallRequestIds(db: Queryable, clock: Clock): Promise<string[]> {
  const rows = await durableQueue('kommo_install_requests', clock).due<{ id: string }>(db, { limit: 1000, columns: 'id' });
  return rows.map((r) => r.id);
}

export async function finishInstallRequest(
  db: Queryable,
  input: { id: string; status: 'done' | 'failed'; error?: string; accountId?: string; at: Date },
): Promise<void> {
  await db.query(`update kommo_install_requests set status = $2, error = $3, account_id = $4, processed_at = $5 where id = $1`, [
    input.id,
    input.status,
    input.error ?? null,
    input.accountId ?? null,
    input.at,
  ]);
}
