import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { Db } from '../src/store/db';
import { loadMigrations, migrate } from '../src/store/migrate';
import { openPgliteDb, pgliteDb } from '../src/store/pglite-db';
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
  if (kind === 'pglite') return openPgliteDb(undefined, await migratedPglite());
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const db = await openPostgresDb({
    connectionString: process.env.DATABASE_URL!,
    schema,
    max: 4,
    // A test database is thrown away: commits need not wait for the disk (a crash of PostgreSQL
    // itself is not what the suite tests; our process being killed is, and that is unaffected).
    settings: { synchronous_commit: 'off' },
  });
  await migrate(db);
  return {
    ...db,
    async close() {
      await db.exec(`drop schema "${schema}" cascade`);
      await db.close();
    },
  };
}

/**
 * Starting PGlite from an empty cluster (its initdb) and migrating it costs seconds per test; a
 * migrated cluster is dumped once, kept on disk under the hash of the migrations and PGlite's
 * version, and every test's store starts from a copy of it. Written under a temporary name and
 * renamed, so test files starting at once never read half a file.
 */
let template: Promise<Blob> | undefined;
function migratedPglite(): Promise<Blob> {
  template ??= loadOrMakeTemplate();
  return template;
}

async function loadOrMakeTemplate(): Promise<Blob> {
  const migrations = await loadMigrations();
  const root = new URL('../../node_modules/', import.meta.url);
  const pgliteVersion = (JSON.parse(await readFile(new URL('@electric-sql/pglite/package.json', root), 'utf8')) as { version: string }).version;
  const key = createHash('sha256').update(pgliteVersion).update(JSON.stringify(migrations)).digest('hex').slice(0, 16);
  const dir = fileURLToPath(new URL('.cache/wabridge-test-store/', root));
  const file = `${dir}pglite-${key}.tar`;
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const pg = await PGlite.create();
    await migrate(pgliteDb(pg), migrations);
    const dump = await pg.dumpDataDir('none');
    await pg.close();
    await mkdir(dir, { recursive: true });
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file);
    return dump;
  }
}
