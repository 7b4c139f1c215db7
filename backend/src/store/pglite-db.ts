import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable } from './db';

/**
 * The embedded store: PostgreSQL compiled to WASM, in-process, data in `dataDir` (memory when omitted).
 * `from` is a data directory dumped by PGlite's `dumpDataDir` to start from instead of an empty cluster.
 */
export async function openPgliteDb(dataDir?: string, from?: Blob): Promise<Db> {
  return pgliteDb(await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(from ? { loadDataDir: from } : {}) }));
}

/** Our store interface over an open PGlite. */
export function pgliteDb(pg: PGlite): Db {
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<T>(sql: string, params: unknown[] = []) {
      const result = await q.query<T>(sql, params);
      return result.rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...wrap(pg),
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    listen: (channel, onPayload) => pg.listen(channel, onPayload),
    close: () => pg.close(),
  };
}
