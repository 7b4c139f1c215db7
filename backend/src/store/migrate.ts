import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Db } from './db';

export const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export async function loadMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql: await readFile(dir + file, 'utf8'),
    })),
  );
}

// An arbitrary constant: every instance takes the same advisory lock, so only one migrates at a time.
const MIGRATION_LOCK = 728_451_993;

/** Applies every migration not applied yet, each in its own transaction, one instance at a time. */
export async function migrate(db: Db, migrations?: Migration[]): Promise<number[]> {
  const all = migrations ?? (await loadMigrations());
  await db.exec(`create table if not exists schema_migrations (
    version integer primary key,
    name text not null,
    applied_at timestamptz not null default now()
  )`);
  const applied: number[] = [];
  for (const migration of all) {
    const done = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const rows = await tx.query('select 1 from schema_migrations where version = $1', [migration.version]);
      if (rows.length) return false;
      await tx.exec(migration.sql);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}

/** True when every known migration is applied (readiness). */
export async function migrationsCurrent(db: Db, migrations?: Migration[]): Promise<boolean> {
  const all = migrations ?? (await loadMigrations());
  const rows = await db.query<{ version: number }>('select version from schema_migrations');
  const have = new Set(rows.map((r) => Number(r.version)));
  return all.every((m) => have.has(m.version));
}
