import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { openTestStore, storeKinds } from '../../test/stores';
import type { Db } from './db';
import { loadMigrations, migrate, migrationsCurrent } from './migrate';
import { openPgliteDb } from './pglite-db';
import { openPostgresDb } from './postgres-db';

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

    it('when a table changes under a query already run (another instance migrated), then the query still answers, with the new column', async () => {
      db = await openTestStore(kind);
      await db.exec(`create table later_changed (id int primary key, name text); insert into later_changed values (1, 'one')`);
      const read = () => db.query<Record<string, unknown>>('select * from later_changed where id = $1', [1]);
      // Run on every connection of the pool, so each has it prepared.
      await Promise.all(Array.from({ length: 8 }, read));
      await db.exec(`alter table later_changed add column note text default 'added'`);
      for (let i = 0; i < 8; i++) expect(await read()).toEqual([{ id: 1, name: 'one', note: 'added' }]);
    });

    it('when a table changes under a query already run and the query runs again inside a transaction, then the transaction still commits, with the new column', async () => {
      db = await openTestStore(kind);
      await db.exec(`create table later_changed_tx (id int primary key, name text); insert into later_changed_tx values (1, 'one')`);
      const read = (q: Pick<Db, 'query'>) => q.query<Record<string, unknown>>('select * from later_changed_tx where id = $1', [1]);
      await Promise.all(Array.from({ length: 8 }, () => db.transaction((tx) => read(tx))));
      await db.exec(`alter table later_changed_tx add column note text default 'added'`);
      for (let i = 0; i < 8; i++) {
        const rows = await db.transaction(async (tx) => {
          await tx.query('update later_changed_tx set name = $1 where id = $2', [`v${i}`, 1]);
          return read(tx);
        });
        expect(rows).toEqual([{ id: 1, name: `v${i}`, note: 'added' }]);
      }
    });

    it('when answers from Kommo’s chat were waiting at the upgrade that orders them, then they keep the order they came in', async () => {
      const schema = `test_${randomBytes(6).toString('hex')}`;
      const store = kind === 'pglite' ? await openPgliteDb() : await openPostgresDb({ connectionString: process.env.DATABASE_URL!, schema, max: 2 });
      db = { ...store, close: async () => (kind === 'pglite' ? undefined : await store.exec(`drop schema "${schema}" cascade`), await store.close()) };
      const all = await loadMigrations();
      await migrate(
        db,
        all.filter((m) => m.version < 27),
      );
      const at = new Date('2026-11-21T10:00:00Z');
      await db.query(
        `insert into accounts (id, kommo_account_id, subdomain, host, status, installed_at, created_at, updated_at) values ('acc', 1, 'x', 'x.kommo.com', 'active', $1, $1, $1)`,
        [at],
      );
      // Stored in another order than they came (a retried row also moves in the table).
      for (const [id, second] of [
        ['m2', 2],
        ['m1', 1],
        ['m3', 3],
      ] as const) {
        const body = { message: { conversation: { client_id: 'c1' } } };
        await db.query(
          `insert into kommo_channel_replies (kommo_msgid, account_id, message_id, body, received_at, next_attempt_at) values ($1, 'acc', $1, $2, $3, $3)`,
          [id, JSON.stringify(body), new Date(at.getTime() + second * 1000)],
        );
      }
      await migrate(db, all);
      const rows = await db.query<{ kommo_msgid: string; chat_id: string }>('select kommo_msgid, chat_id from kommo_channel_replies order by seq');
      expect(rows).toEqual([
        { kommo_msgid: 'm1', chat_id: 'c1' },
        { kommo_msgid: 'm2', chat_id: 'c1' },
        { kommo_msgid: 'm3', chat_id: 'c1' },
      ]);
      // A new answer comes after them.
      await db.query(
        `insert into kommo_channel_replies (kommo_msgid, account_id, message_id, body, received_at, next_attempt_at) values ('m4', 'acc', 'm4', '{}', $1, $1)`,
        [at],
      );
      expect((await db.query<{ kommo_msgid: string }>('select kommo_msgid from kommo_channel_replies order by seq desc limit 1'))[0]!.kommo_msgid).toBe('m4');
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
