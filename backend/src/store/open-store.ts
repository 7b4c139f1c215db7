import { mkdir } from 'node:fs/promises';
import type { Db } from './db';
import { openPgliteDb } from './pglite-db';
import { openPostgresDb } from './postgres-db';

/** PostgreSQL when a URL is given, else the embedded store in `dataDir/pg` (created on first start). */
export async function openStore(options: { databaseUrl?: string; dataDir: string }): Promise<Db> {
  if (options.databaseUrl) return openPostgresDb({ connectionString: options.databaseUrl });
  const dir = `${options.dataDir}/pg`;
  await mkdir(dir, { recursive: true });
  return openPgliteDb(dir);
}
