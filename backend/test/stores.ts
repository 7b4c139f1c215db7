import { randomBytes } from 'node:crypto';
import type { Db } from '../src/store/db';
import { migrate } from '../src/store/migrate';
import { openPgliteDb } from '../src/store/pglite-db';
import { openPostgresDb } from '../src/store/postgres-db';

export type StoreKind = 'pglite' | 'postgres';

/**
 * The stores the suite runs on: always the embedded PGlite, and PostgreSQL too when DATABASE_URL
 * names a server (`.ci/run` starts one). Each test gets a store of its own.
 */
export function storeKinds(): StoreKind[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** A fresh, migrated store; on PostgreSQL a schema of its own, dropped on close. */
export async function openTestStore(kind: StoreKind): Promise<Db> {
  if (kind === 'pglite') {
    const db = await openPgliteDb();
    await migrate(db);
    return db;
  }
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const db = await openPostgresDb({ connectionString: process.env.DATABASE_URL!, schema, max: 4 });
  await migrate(db);
  return {
    ...db,
    async close() {
      await db.exec(`drop schema "${schema}" cascade`);
      await db.close();
    },
  };
}
