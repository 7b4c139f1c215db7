import type { Clock } from '../clock';
import type { Queryable } from './db';

/**
 * How long a failed attempt waits before the next: `firstMs` after the first failure, multiplied by
 * `factor` after each further one, never more than `maxMs`; with `giveUpAfterMs`, a row still failing
 * that long after it was created is given up (marked failed) instead.
 */
export interface Backoff {
  firstMs: number;
  factor: number;
  maxMs: number;
  giveUpAfterMs?: number;
}

/** The retry policies of the queues, by name: one per kind of counterpart, not one per queue. */
export const BACKOFF = {
  /** Kommo's API (notes, tasks, events): it is back within seconds or after an outage of up to an hour. */
  kommo: { firstMs: 2000, factor: 2, maxMs: 3600_000 },
  /** An account's webhook receiver: from 30 s up to an hour, given up a day after the event. */
  webhookReceiver: { firstMs: 30_000, factor: 2, maxMs: 3600_000, giveUpAfterMs: 24 * 3600_000 },
  /** A broadcast send Meta refused for now (rate limit, transient error): 4 s, 16 s, 64 s, then every 256 s. */
  metaSend: { firstMs: 4000, factor: 4, maxMs: 256_000 },
  /** An event we stored and failed to act on (a bug, a bad body): soon, then every five minutes. */
  storedEvent: { firstMs: 5000, factor: 2, maxMs: 5 * 60_000 },
} as const satisfies Record<string, Backoff>;
export type BackoffName = keyof typeof BACKOFF;

/** The pause after the `attempt`-th failed attempt (1 for the first). */
export function retryDelay(policy: Backoff, attempt: number): number {
  return Math.min(policy.maxMs, policy.firstMs * policy.factor ** Math.max(0, attempt - 1));
}

/**
 * A queue's table as the module needs it. Every part is a constant of this file (never input), so
 * it is written into the SQL as is.
 */
export interface QueueTable {
  table: string;
  key: string;
  keyType: 'text' | 'bigint';
  /** Rows still to do (neither done nor given up). */
  open: string;
  /** The order due rows are taken in. */
  order: string;
  /** When a row is due: null or past. A claim moves it forward by the lease; a retry by the backoff. */
  due: string;
  /** What a claim sets besides the lease (e.g. a state the rest of the code reads). */
  onClaim?: string;
  /**
   * Rows with one value of this column are taken in queue order: a row is not claimed while an older
   * open row of its value is not due (leased, or waiting for its retry).
   */
  inOrderOf?: string;
  /**
   * With `inOrderOf`: a row waits behind every older open row of its value, due or not. Another
   * drain may be claiming that older row this very moment (its claim not yet committed, so it still
   * looks due): without this, the newer one could be taken beside it. For queues drained one row at
   * a time, where the older row is always the one taken first.
   */
  inOrderStrict?: boolean;
  /** The failed attempts so far; absent when the queue does not retry (a failure is final). */
  attempts?: string;
  /** The last failure's text. */
  error: string;
  /** The time a row was done; absent when finishing a row is the feature's own update (it records an outcome). */
  doneAt?: string;
  /** The time a row was given up (its backoff's `giveUpAfterMs` after `createdAt`). */
  failedAt?: string;
  createdAt?: string;
  /** Whether a successful attempt is counted too (the delivery log shows every attempt). */
  countsDone?: boolean;
  backoff?: BackoffName;
}

/**
 * Every durable queue of the product. A drain is named by its queue (`BackgroundTasks.drain`), so a
 * queue has one drain per instance however many places ask for it (decision 014).
 */
export const QUEUES = {
  /** Meta's webhook bodies, stored before they are acknowledged (decision 014). */
  whatsapp_inbox: {
    table: 'whatsapp_inbox',
    key: 'id',
    keyType: 'bigint',
    open: 'processed_at is null',
    order: 'id',
    due: 'next_attempt_at',
    attempts: 'attempts',
    error: 'error',
    doneAt: 'processed_at',
    backoff: 'storedEvent',
  },
  /** The card provider's events, stored before they are acknowledged (decision 009). */
  payment_events: {
    table: 'payment_events',
    key: 'id',
    keyType: 'text',
    open: 'processed_at is null',
    order: 'received_at',
    due: 'next_attempt_at',
    attempts: 'attempts',
    error: 'error',
    doneAt: 'processed_at',
    backoff: 'storedEvent',
  },
  /** Every WhatsApp message as a note on the contact's Kommo timeline. */
  kommo_note_outbox: {
    table: 'kommo_note_outbox',
    key: 'message_id',
    keyType: 'text',
    open: 'done_at is null',
    order: 'next_attempt_at',
    due: 'next_attempt_at',
    attempts: 'attempts',
    error: 'last_error',
    doneAt: 'done_at',
    backoff: 'kommo',
  },
  /** Notes and tasks on Kommo leads (broadcast replies). */
  kommo_lead_outbox: {
    table: 'kommo_lead_outbox',
    key: 'id',
    keyType: 'text',
    open: 'done_at is null',
    order: 'next_attempt_at',
    due: 'next_attempt_at',
    attempts: 'attempts',
    error: 'last_error',
    doneAt: 'done_at',
    backoff: 'kommo',
  },
  /** A conversation's system events (opt-out, failed delivery) on the contact's Kommo timeline. */
  kommo_event_outbox: {
    table: 'kommo_event_outbox',
    key: 'id',
    keyType: 'text',
    open: 'done_at is null',
    order: 'next_attempt_at',
    due: 'next_attempt_at',
    attempts: 'attempts',
    error: 'last_error',
    doneAt: 'done_at',
    backoff: 'kommo',
  },
  /** Events for the accounts' webhook receivers (public API). */
  webhook_deliveries: {
    table: 'webhook_deliveries',
    key: 'id',
    keyType: 'text',
    open: 'delivered_at is null and gave_up_at is null',
    order: 'next_attempt_at',
    due: 'next_attempt_at',
    attempts: 'attempts',
    error: 'last_error',
    doneAt: 'delivered_at',
    failedAt: 'gave_up_at',
    createdAt: 'created_at',
    countsDone: true,
    backoff: 'webhookReceiver',
  },
  /** Digital-pipeline stage entries to act on (one template per entry, decision 017). */
  dp_runs: {
    table: 'dp_runs',
    key: 'id',
    keyType: 'text',
    open: "outcome is null or outcome = 'working'",
    order: 'created_at',
    due: 'claimed_until',
    onClaim: "outcome = 'working'",
    error: 'detail',
  },
  /**
   * Broadcast recipients to send to (decision 012). The broadcast engine claims them itself, per
   * number under the number's lease and with the opt-out check in the same statement, and records
   * each outcome; it retries by this queue's backoff.
   */
  broadcast_recipients: {
    table: 'broadcast_recipients',
    key: 'id',
    keyType: 'text',
    open: "state = 'queued'",
    order: 'seq',
    due: 'next_attempt_at',
    attempts: 'attempts',
    error: 'error_title',
    backoff: 'metaSend',
  },
  /** Kommo's install hook calls whose code is still to be exchanged (decision 006). */
  kommo_install_requests: {
    table: 'kommo_install_requests',
    key: 'id',
    keyType: 'text',
    open: "status = 'pending'",
    order: 'received_at',
    due: 'claimed_until',
    error: 'error',
  },
  /**
   * Salesbot steps (decision 027): a new one is taken 'working' to send; one still 'working' when its
   * lease ran out was cut off mid-send and ends 'failed' (never sent again); a sent one is taken to
   * continue the bot, retried by the `kommo` backoff up to ten times.
   */
  salesbot_runs: {
    table: 'salesbot_runs',
    key: 'id',
    keyType: 'text',
    open: 'continued_at is null and attempts < 10',
    order: 'created_at',
    due: 'claimed_until',
    onClaim: `outcome = case when outcome is null then 'working' when outcome = 'working' then 'failed' else outcome end,
      detail = case when outcome = 'working' then 'WhatsApp template not sent again by Salesbot: sending it was interrupted (the server stopped) and it may have gone out.' else detail end`,
    attempts: 'attempts',
    error: 'last_error',
    backoff: 'kommo',
  },
  /** The native chat channel's connects and disconnects (decision 026); 'connected' and 'off' are the feature's own outcome. */
  kommo_channel_connections: {
    table: 'kommo_channels',
    key: 'account_id',
    keyType: 'text',
    open: "state in ('connect', 'disconnect')",
    order: 'due_at',
    due: 'due_at',
    attempts: 'attempts',
    error: 'last_error',
    backoff: 'kommo',
  },
  /** Messages and statuses for Kommo's chat, in order per conversation (decision 026). */
  kommo_channel_outbox: {
    table: 'kommo_channel_outbox',
    key: 'seq',
    keyType: 'bigint',
    open: 'done_at is null',
    order: 'seq',
    due: 'next_attempt_at',
    inOrderOf: 'conversation_id',
    attempts: 'attempts',
    error: 'last_error',
    doneAt: 'done_at',
    backoff: 'kommo',
  },
  /**
   * Managers' answers from Kommo's chat, stored before Kommo's hook is acknowledged (decision 026); leased one at a time, renewed while sent (decision 035);
   * in the order they were written per chat, whichever instance drains them.
   */
  kommo_channel_replies: {
    table: 'kommo_channel_replies',
    key: 'kommo_msgid',
    keyType: 'text',
    open: 'done_at is null',
    order: 'seq',
    due: 'next_attempt_at',
    inOrderOf: 'chat_id',
    inOrderStrict: true,
    attempts: 'attempts',
    error: 'last_error',
    doneAt: 'done_at',
    backoff: 'kommo',
  },
} as const satisfies Record<string, QueueTable>;
export type QueueName = keyof typeof QUEUES;

/** What a row's key may be given as: the queue's key column holds text or a bigint (given as text). */
type Key = string;

/**
 * The store of one durable queue: claim due rows with a lease, retry later by the queue's backoff,
 * mark done or failed. Every call takes the `Queryable` it runs on, so it joins the caller's
 * transaction when there is one.
 */
export function durableQueue(name: QueueName, clock: Clock) {
  const t: QueueTable = QUEUES[name];
  const keys = `$1::${t.keyType}[]`;
  const isDue = (now: string) => `(${t.due} is null or ${t.due} <= ${now})`;
  // The claimed rows in queue order. Ordered by the key before the lease moved the due time (when
  // the queue is ordered by it), since the lease gives every claimed row the same one.
  const inOrder = t.order === t.due ? t.key : `${t.order}, ${t.key}`;

  return {
    name,
    /**
     * Takes up to `limit` due rows (oldest first, or only those of `only`) and leases them for
     * `leaseMs`: until then no other drain, in this process or another, takes them. Rows locked by
     * another transaction are skipped, not waited for. With `perGroup`, at most `max` rows of one
     * value of `column` are taken, and none of the values in `skip`.
     */
    async claim<Row = Record<string, unknown>>(
      q: Queryable,
      options: { limit: number; leaseMs: number; only?: Key[]; perGroup?: { column: string; max: number; skip: string[] } },
    ): Promise<Row[]> {
      const now = clock.now();
      const params: unknown[] = [now, new Date(now.getTime() + options.leaseMs), options.limit];
      const only = options.only ? `and ${t.key} = any($${params.push(options.only)}::${t.keyType}[])` : '';
      const set = [`${t.due} = $2`, t.onClaim].filter(Boolean).join(', ');
      if (options.perGroup) {
        const g = options.perGroup;
        const skip = `$${params.push(g.skip)}::text[]`;
        return q.query<Row>(
          `with ranked as (
             select ${t.key}, row_number() over (partition by ${g.column} order by ${t.order}, ${t.key}) as rn from ${t.table}
             where (${t.open}) and ${isDue('$1')} and not (${g.column} = any(${skip})) ${only}),
           claimed as (
             update ${t.table} set ${set}
             where ${t.key} in (select q.${t.key} from ${t.table} q join ranked r on r.${t.key} = q.${t.key} and r.rn <= ${g.max}
                                where (${t.open}) and ${isDue('$1')} order by q.${t.order} limit $3 for update of q skip locked)
             returning *)
           select * from claimed order by ${inOrder}`,
          params,
        );
      }
      // Inside the subquery the queue's own expressions name the older row `e` (the innermost table).
      const olderWaits = 'inOrderStrict' in t && t.inOrderStrict ? '' : `and e.${t.due} > $1`;
      const behind = t.inOrderOf
        ? `and not exists (select 1 from ${t.table} e where e.${t.inOrderOf} = o.${t.inOrderOf} and (${t.open}) and e.${t.order} < o.${t.order} ${olderWaits})`
        : '';
      return q.query<Row>(
        `with claimed as (
           update ${t.table} set ${set}
           where ${t.key} in (select ${t.key} from ${t.table} o where (${t.open}) and ${isDue('$1')} ${behind} ${only} order by ${t.order} limit $3 for update skip locked)
           returning *)
         select * from claimed order by ${inOrder}`,
        params,
      );
    },

    /** Moves the lease of the still open ones of `keys` forward to `leaseMs` from now: their work is still under way. */
    async extend(q: Queryable, leased: Key[], leaseMs: number): Promise<void> {
      if (leased.length)
        await q.query(`update ${t.table} set ${t.due} = $2 where ${t.key} = any(${keys}) and (${t.open})`, [leased, new Date(clock.now().getTime() + leaseMs)]);
    },

    /**
     * Due rows without a lease, oldest first, with `columns` (SQL expressions of the row): for a
     * drain that takes them in its own transactions with `lock`.
     */
    async due<Row = Record<string, unknown>>(q: Queryable, options: { limit: number; columns: string }): Promise<Row[]> {
      return q.query<Row>(`select ${options.columns} from ${t.table} where (${t.open}) and ${isDue('$1')} order by ${t.order} limit $2`, [
        clock.now(),
        options.limit,
      ]);
    },

    /** Locks the still open ones of `only` for the caller's transaction, in queue order; those locked elsewhere are skipped. */
    async lock<Row = Record<string, unknown>>(tx: Queryable, only: Key[], columns = '*'): Promise<Row[]> {
      return tx.query<Row>(`select ${columns} from ${t.table} where ${t.key} = any(${keys}) and (${t.open}) order by ${t.order} for update skip locked`, [
        only,
      ]);
    },

    /**
     * The rows are done: never taken again. `note` says why when nothing was done (kept as their last
     * error); `also` sets columns of the feature's own (e.g. the receiver's answer).
     */
    async done(q: Queryable, done: Key[], options: { note?: string; also?: Record<string, unknown> } = {}): Promise<void> {
      if (!t.doneAt) throw new Error(`the ${name} queue records its own outcome`);
      if (!done.length) return;
      const params: unknown[] = [done, clock.now(), options.note ?? null];
      const set = [
        `${t.doneAt} = $2`,
        `${t.error} = $3`,
        ...(t.countsDone && t.attempts ? [`${t.attempts} = ${t.attempts} + 1`] : []),
        ...also(options.also, params),
      ];
      await q.query(`update ${t.table} set ${set.join(', ')} where ${t.key} = any(${keys})`, params);
    },

    /**
     * An attempt at the row failed: it is counted, and the row is due again after the queue's backoff
     * for that many failures, or given up when the policy's time since the row was created ran out.
     * True when given up.
     */
    async retryLater(q: Queryable, key: Key, error: string, options: { also?: Record<string, unknown> } = {}): Promise<boolean> {
      if (!t.backoff || !t.attempts) throw new Error(`the ${name} queue does not retry`);
      const policy: Backoff = BACKOFF[t.backoff];
      const params: unknown[] = [key, error, clock.now(), policy.firstMs, policy.factor, policy.maxMs];
      // The pause after this failure: the old count is the number of failures before it.
      const next = `$3::timestamptz + least($6::float8, $4::float8 * power($5::float8, ${t.attempts})) * interval '1 millisecond'`;
      const giveUp =
        policy.giveUpAfterMs !== undefined && t.createdAt && t.failedAt
          ? `(${next}) - ${t.createdAt} > $${params.push(policy.giveUpAfterMs)}::float8 * interval '1 millisecond'`
          : 'false';
      const set = [
        `${t.attempts} = ${t.attempts} + 1`,
        `${t.error} = $2`,
        `${t.due} = case when ${giveUp} then null else ${next} end`,
        ...(t.failedAt ? [`${t.failedAt} = case when ${giveUp} then $3::timestamptz else ${t.failedAt} end`] : []),
        ...also(options.also, params),
      ];
      const [row] = await q.query<{ gave_up: boolean }>(
        `update ${t.table} set ${set.join(', ')} where ${t.key} = $1::${t.keyType} returning ${t.failedAt ? `${t.failedAt} is not null` : 'false'} as gave_up`,
        params,
      );
      return Boolean(row?.gave_up);
    },
  };
}
export type DurableQueue = ReturnType<typeof durableQueue>;

/** `column = $n` for each of the feature's own columns, its value added to `params`. */
function also(columns: Record<string, unknown> | undefined, params: unknown[]): string[] {
  return Object.entries(columns ?? {}).map(([column, value]) => `${column} = $${params.push(value)}`);
}

/** A failure's text as a queue row keeps it. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
