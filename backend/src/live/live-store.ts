import type { Queryable } from '../store/db';

/** NOTIFY on `channel`, inside the caller's transaction: listeners hear it once it is committed. */
export async function notify(db: Queryable, channel: string, payload: unknown): Promise<void> {
  await db.query('select pg_notify($1, $2)', [channel, JSON.stringify(payload)]);
}
