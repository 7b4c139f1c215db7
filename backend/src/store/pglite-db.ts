import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable } from './db';

/** How often the embedded store looks for tables that grew or shrank since their statistics. */
const STATISTICS_EVERY_MS = 10_000;

/**
 * The embedded store: PostgreSQL compiled to WASM, in-process, data in `dataDir` (memory when omitted).
 * `from` is a data directory dumped by PGlite's `dumpDataDir` to start from instead of an empty cluster.
 * It keeps its planner's statistics itself (`refreshStatistics`), every `statisticsEveryMs`.
 */
export async function openPgliteDb(dataDir?: string, from?: Blob, options: { statisticsEveryMs?: number } = {}): Promise<Db> {
  const pg = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(from ? { loadDataDir: from } : {}) });
  const db = pgliteDb(pg);
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // Never two at once; a store closed meanwhile is not asked.
    running = running.then(() => (pg.closed ? undefined : refreshStatistics(db).catch(() => undefined)));
  }, options.statisticsEveryMs ?? STATISTICS_EVERY_MS);
  timer.unref();
  return {
    ...db,
    close: async () => {
      clearInterval(timer);
      await running;
      await db.close();
    },
  };
}

/**
 * PGlite runs no autovacuum, so nothing gathers the planner's statistics: the planner then guesses
 * one row per table, and a history page joins each message to the one it quotes by scanning the whole
 * conversation (200 messages: 40,000 rows visited, 20 ms of the card's 30). What autovacuum does for
 * a table's growth is done here: a table whose size in pages moved by more than a fifth (and two
 * pages) since it was last analysed is analysed again. Returns the tables analysed.
 */
export async function refreshStatistics(db: Queryable): Promise<string[]> {
  const stale = await db.query<{ name: string }>(
    `select c.oid::regclass::text as name from pg_class c
     where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
       and abs(pg_relation_size(c.oid) / current_setting('block_size')::int - c.relpages) > 2 + c.relpages / 5`,
  );
  // The name comes from the catalogue, quoted by `regclass`.
  for (const { name } of stale) await db.exec(`analyze ${name}`);
  return stale.map((s) => s.name);
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
