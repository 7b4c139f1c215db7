import { PGlite } from '@electric-sql/pglite';
import { openPgliteDb } from '/work/main/backend/src/store/pglite-db';
import { migrate } from '/work/main/backend/src/store/migrate';
const t0 = performance.now();
const db = await openPgliteDb();
const t1 = performance.now();
await migrate(db);
const t2 = performance.now();
console.log('open', (t1-t0).toFixed(0), 'migrate', (t2-t1).toFixed(0));
// dump
const pg = await PGlite.create();
await migrate({kind:'pglite', query: async (s: string, p: unknown[] = []) => (await pg.query(s, p)).rows, exec: async (s: string) => { await pg.exec(s); }, transaction: (fn: any) => pg.transaction((tx) => fn({query: async (s: string, p: unknown[] = []) => (await tx.query(s, p)).rows, exec: async (s: string) => { await tx.exec(s); }})), listen: () => {}, close: () => pg.close()} as any);
const t3 = performance.now();
const dump = await pg.dumpDataDir('none');
const t4 = performance.now();
console.log('dump', (t4-t3).toFixed(0), dump.size);
for (let i = 0; i < 3; i++) {
  const a = performance.now();
  const p2 = await PGlite.create({ loadDataDir: dump });
  const b = performance.now();
  const r = await p2.query('select count(*) from schema_migrations');
  console.log('load', (b-a).toFixed(0), r.rows);
  const c = performance.now();
  const p3 = await PGlite.create();
  console.log('plain create', (performance.now()-c).toFixed(0));
}
