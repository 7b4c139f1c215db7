import { describe, expect, it } from 'vitest';
import { openPostgresDb } from './postgres-db';
import { UNFLUSHED, UNFLUSHED_USED } from './unflushed';

describe.skipIf(!process.env.DATABASE_URL)('a statement whose commit does not wait for the log flush (PostgreSQL)', () => {
  it('when such a statement runs, then it commits unflushed, and the next statement on the same connection is synchronous again', async () => {
    // One connection: the second statement runs where the first ran.
    const db = await openPostgresDb({ connectionString: process.env.DATABASE_URL!, max: 1 });
    try {
      const [before] = await db.query<{ synchronous_commit: string }>('show synchronous_commit');
      const [row] = await db.query<{ used: string; during: string }>(
        `with ${UNFLUSHED} select ${UNFLUSHED_USED} as used, current_setting('synchronous_commit') as during, $1::int as one`,
        [1],
      );
      expect(row!.during).toBe('off');
      const [after] = await db.query<{ synchronous_commit: string }>('show synchronous_commit');
      expect(after!.synchronous_commit).toBe(before!.synchronous_commit);
      const [prepared] = await db.query<{ now: string }>(`select current_setting('synchronous_commit') as now, $1::int as one`, [1]);
      expect(prepared!.now).toBe(before!.synchronous_commit);
    } finally {
      await db.close();
    }
  });
});
