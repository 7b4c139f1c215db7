import pg from 'pg';
import type { Db, Queryable } from './db';

export interface PostgresOptions {
  connectionString: string;
  /** A schema to work in (tests give each run its own); created when missing. */
  schema?: string;
  max?: number;
}

export async function openPostgresDb(options: PostgresOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  if (options.schema) {
    await pool.query(`create schema if not exists "${options.schema}"`);
  }
  const wrap = (q: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params: unknown[] = []) {
      const result = await q.query(sql, params);
      return result.rows as T[];
    },
    async exec(sql: string) {
      // Without parameters, pg uses the simple protocol, which runs several statements.
      await q.query(sql);
    },
  });
  // LISTEN needs a connection of its own that stays open; it is made on first use.
  let listener: pg.Client | undefined;
  const handlers = new Map<string, Set<(payload: string) => void>>();
  async function listenerClient(): Promise<pg.Client> {
    if (listener) return listener;
    const client = new pg.Client({ connectionString: options.connectionString, ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}) });
    await client.connect();
    client.on('notification', (msg) => handlers.get(msg.channel)?.forEach((h) => h(msg.payload ?? '')));
    listener = client;
    return client;
  }
  const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const value = await fn(wrap(client));
        await client.query('commit');
        return value;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async listen(channel, onPayload) {
      const client = await listenerClient();
      const set = handlers.get(channel) ?? new Set();
      if (!handlers.has(channel)) {
        handlers.set(channel, set);
        await client.query(`LISTEN ${quoteIdent(channel)}`);
      }
      set.add(onPayload);
      return async () => {
        set.delete(onPayload);
      };
    },
    close: async () => {
      await listener?.end();
      await pool.end();
    },
  };
}
