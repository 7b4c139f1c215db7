import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore, storeKinds } from '../../test/stores';
import type { Db } from './db';
import { loadMigrations, migrate, migrationsCurrent } from './migrate';

for (const kind of storeKinds()) {
  describe(`migrations (${kind})`, () => {
    let db: Db;
    afterEach(async () => {
      await db.close();
    });

    it('when migrations already ran, then running them again applies nothing and the store is current', async () => {
      db = await openTestStore(kind);
      expect(await migrate(db)).toEqual([]);
      expect(await migrationsCurrent(db)).toBe(true);
      const versions = await db.query<{ version: number }>('select version from schema_migrations order by version');
      expect(versions.map((v) => Number(v.version))).toEqual((await loadMigrations()).map((m) => m.version));
    });

    it('when a migration fails, then its changes are rolled back and it is not recorded', async () => {
      db = await openTestStore(kind);
      const broken = [{ version: 900, name: 'broken', sql: 'create table half_made (id int); select no_such_function();' }];
      await expect(migrate(db, broken)).rejects.toThrow();
      expect(await db.query(`select 1 from information_schema.tables where table_name = 'half_made'`)).toHaveLength(0);
      expect(await db.query('select 1 from schema_migrations where version = 900')).toHaveLength(0);
    });
  });
}
