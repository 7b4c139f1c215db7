import type { Queryable } from '../store/db';

/** Resolves when the store answers a statement; rejects when it does not. */
export async function ping(db: Queryable): Promise<void> {
  await db.query('select 1');
}
