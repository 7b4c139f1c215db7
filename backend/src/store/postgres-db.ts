import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Db, Queryable } from './db';

export interface PostgresOptions {
  connectionString: string;
  /** A schema to work in (tests give each run its own); created when missing. */
  schema?: string;
  max?: number;
  /** Session settings for every connection (`-c name=value`), e.g. a statement timeout. */
  settings?: Record<string, string>;
}

/** "cached plan must not change result type": a migration changed a table under a prepared statement. */
const planChanged = (err: unknown) => (err as { code?: string } | null)?.code === '0A000';

export async function openPostgresDb(options: PostgresOptions): Promise<Db> {
  /**
   * Statements with parameters are prepared once per connection and then only bound and run: for the
   * small, hot queries of the widget API, parsing and planning were a large share of PostgreSQL's work.
   * Named by a hash of their text and a generation, moved on when a schema change (perhaps another
   * instance's migration) invalidates them: every statement is then prepared again under new names.
   */
  let generation = 0;
  const settings = { ...(options.schema ? { search_path: options.schema } : {}), ...options.settings };
  const sessionOptions = Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
  const statementName = (sql: string) => `w${generation}_${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    ...(sessionOptions ? { options: sessionOptions } : {}),
  });
  // A connection that breaks while idle (the server restarted, the network dropped) is discarded by
  // the pool; without a listener its error would end the process.
  pool.on('error', () => undefined);
  if (options.schema) {
    await pool.query(`create schema if not exists "${options.schema}"`);
  }
  // Outside a transaction the failed statement is simply run again under its new name; inside one the
  // error has aborted the transaction, so it is passed up and `transaction` runs the whole of it again.
  const wrap = (q: pg.Pool | pg.PoolClient, inTransaction: boolean): Queryable => ({
    async query<T>(sql: string, params: unknown[] = []) {
      // Long texts are the generated ones (a multi-row insert of n rows): not worth keeping prepared.
      if (!params.length || sql.length > 2000) return (await q.query(sql, params)).rows as T[];
      const name = statementName(sql);
      try {
        return (await q.query({ name, text: sql, values: params })).rows as T[];
      } catch (err) {
        if (!planChanged(err)) throw err;
        if (name === statementName(sql)) generation++;
        if (inTransaction) throw err;
        return (await q.query({ name: statementName(sql), text: sql, values: params })).rows as T[];
      }
    },
    async exec(sql: string) {
      // Without parameters, pg uses the simple protocol, which runs several statements.
      await q.query(sql);
    },
  });
  // LISTEN needs a connection of its own that stays open; it is made on first use.
  let listener: pg.Client | undefined;
  const handlers = new Map<string, Set<(payload: string) => void>>();
  let closed = false;
  async function listenerClient(): Promise<pg.Client> {
    if (listener) return listener;
    const client = new pg.Client({ connectionString: options.connectionString, ...(sessionOptions ? { options: sessionOptions } : {}) });
    // When the connection is lost, LISTEN is lost with it: connect again and listen again.
    const lost = () => {
      if (listener !== client) return;
      listener = undefined;
      void client.end().catch(() => undefined);
      if (!closed) void relisten(1000);
    };
    client.on('error', lost);
    client.on('end', lost);
    await client.connect();
    client.on('notification', (msg) => handlers.get(msg.channel)?.forEach((h) => h(msg.payload ?? '')));
    listener = client;
    return client;
  }
  async function relisten(waitMs: number): Promise<void> {
    await new Promise((r) => setTimeout(r, waitMs).unref());
    if (closed || listener) return;
    try {
      const client = await listenerClient();
      for (const channel of handlers.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch {
      listener = undefined;
      void relisten(Math.min(waitMs * 2, 30_000));
    }
  }
  const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

  async function runTransaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    // A checked-out connection that drops emits 'error' on the client itself: caught here, the
    // query in flight fails with it, and the connection is discarded below.
    const dropped = (err: Error) => (broken = err);
    client.on('error', dropped);
    try {
      await client.query('begin');
      const value = await fn(wrap(client, true));
      await client.query('commit');
      return value;
    } catch (error) {
      await client.query('rollback').catch((e: Error) => (broken = e));
      throw error;
    } finally {
      // A connection that dropped or could not even roll back is not given back to the pool.
      client.off('error', dropped);
      client.release(broken);
    }
  }

  return {
    kind: 'postgres',
    ...wrap(pool, false),
    async transaction(fn) {
      try {
        return await runTransaction(fn);
      } catch (err) {
        // Rolled back, nothing of it kept: run once more, with statements prepared afresh.
        if (!planChanged(err)) throw err;
        return runTransaction(fn);
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
      closed = true;
      const l = listener;
      listener = undefined;
      await l?.end();
      await pool.end();
    },
  };
}
