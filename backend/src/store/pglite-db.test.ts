import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Db } from './db';
import { openPgliteDb, refreshStatistics } from './pglite-db';

/** The planner's idea of a table's rows: -1 until the table was ever analysed. */
const plannedRows = async (db: Db, table: string) =>
  Number((await db.query<{ reltuples: number }>('select reltuples from pg_class where oid = $1::regclass', [table]))[0]!.reltuples);

const fill = (db: Db, rows: number) => db.exec(`insert into notes (body) select repeat('x', 200) from generate_series(1, ${rows})`);

describe('the embedded store’s planner statistics', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('when a table grew since it was last analysed, then it is analysed again; when it did not, then it is left alone', async () => {
    // The store's own round does not come during this test.
    db = await openPgliteDb(undefined, undefined, { statisticsEveryMs: 3_600_000 });
    await db.exec('create table notes (id serial primary key, body text not null)');
    await fill(db, 2_000);
    expect(await plannedRows(db, 'notes')).toBe(-1);

    expect(await refreshStatistics(db)).toEqual(['notes']);
    expect(await plannedRows(db, 'notes')).toBe(2_000);
    // A few rows more do not move it; a table that doubled does.
    await fill(db, 10);
    expect(await refreshStatistics(db)).toEqual([]);
    await fill(db, 2_000);
    expect(await refreshStatistics(db)).toEqual(['notes']);
    expect(await plannedRows(db, 'notes')).toBe(4_010);
  });

  it('when the store is open, then it keeps its statistics by itself (PGlite runs no autovacuum)', async () => {
    db = await openPgliteDb(undefined, undefined, { statisticsEveryMs: 50 });
    await db.exec('create table notes (id serial primary key, body text not null)');
    await fill(db, 2_000);
    const open = db;
    await vi.waitFor(async () => expect(await plannedRows(open, 'notes')).toBe(2_000));
  });
});
