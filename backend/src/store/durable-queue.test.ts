import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock';
import { openTestStore, storeKinds } from '../../test/stores';
import type { Db } from './db';
import { BACKOFF, durableQueue, QUEUES, retryDelay } from './durable-queue';

describe('backoff policies', () => {
  it('when attempts fail one after another, then each policy waits longer each time up to its ceiling', () => {
    expect([1, 2, 3, 12, 13].map((n) => retryDelay(BACKOFF.kommo, n))).toEqual([2000, 4000, 8000, 3600_000, 3600_000]);
    expect([1, 2, 8].map((n) => retryDelay(BACKOFF.webhookReceiver, n))).toEqual([30_000, 60_000, 3600_000]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(BACKOFF.metaSend, n))).toEqual([4000, 16_000, 64_000, 256_000, 256_000]);
    expect([1, 2, 7].map((n) => retryDelay(BACKOFF.storedEvent, n))).toEqual([5000, 10_000, 300_000]);
  });

  it('when a queue names a backoff, then the policy exists and the queue counts its attempts', () => {
    for (const queue of Object.values(QUEUES))
      if ('backoff' in queue) expect([queue.table, BACKOFF[queue.backoff], 'attempts' in queue]).toEqual([queue.table, expect.anything(), true]);
  });
});

for (const kind of storeKinds()) {
  describe(`a durable queue (${kind})`, () => {
    let db: Db;
    const clock = fixedClock('2026-11-21T10:00:00Z');
    afterEach(async () => {
      await db?.close();
    });

    /** Three stored payment events, received a second apart (the oldest first). */
    async function threeEvents() {
      db = await openTestStore(kind);
      clock.set('2026-11-21T10:00:00Z');
      for (const [i, id] of ['evt_a', 'evt_b', 'evt_c'].entries()) {
        await db.query('insert into payment_events (id, type, payload, received_at) values ($1, $2, $3, $4)', [
          id,
          'charge.succeeded',
          '{}',
          new Date(clock.now().getTime() - (3 - i) * 1000),
        ]);
      }
      return durableQueue('payment_events', clock);
    }
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

    it('when two drains claim at once, then each row goes to one of them, oldest first, and comes back only when its lease ran out', async () => {
      const queue = await threeEvents();
      const [first, second] = await Promise.all([
        queue.claim<{ id: string }>(db, { limit: 2, leaseMs: 60_000 }),
        queue.claim<{ id: string }>(db, { limit: 2, leaseMs: 60_000 }),
      ]);
      expect([...ids(first), ...ids(second)].sort()).toEqual(['evt_a', 'evt_b', 'evt_c']);
      expect(await queue.claim(db, { limit: 10, leaseMs: 60_000 })).toEqual([]);
      clock.advance(60_001);
      expect(ids(await queue.claim<{ id: string }>(db, { limit: 2, leaseMs: 60_000 }))).toEqual(['evt_a', 'evt_b']);
      expect(ids(await queue.claim<{ id: string }>(db, { limit: 2, leaseMs: 60_000 }))).toEqual(['evt_c']);
    });

    it('when a row is done, then it is never claimed again', async () => {
      const queue = await threeEvents();
      await queue.claim(db, { limit: 10, leaseMs: 1000 });
      await queue.done(db, ['evt_b']);
      clock.advance(2000);
      expect(ids(await queue.claim<{ id: string }>(db, { limit: 10, leaseMs: 1000 }))).toEqual(['evt_a', 'evt_c']);
      const [row] = await db.query<{ processed_at: Date; error: string | null }>('select processed_at, error from payment_events where id = $1', ['evt_b']);
      expect(row).toEqual({ processed_at: new Date('2026-11-21T10:00:00Z'), error: null });
    });

    it('when an attempt fails, then the row is due again after its policy’s pause for that many failures, with the error kept', async () => {
      const queue = await threeEvents();
      const [only] = await queue.claim<{ id: string }>(db, { limit: 1, leaseMs: 60_000, only: ['evt_c'] });
      expect(only?.id).toBe('evt_c');
      await queue.retryLater(db, 'evt_c', 'provider away');
      clock.advance(4999);
      expect(await queue.due(db, { limit: 10, columns: 'id' })).toEqual([{ id: 'evt_a' }, { id: 'evt_b' }]);
      clock.advance(1);
      expect(ids(await queue.claim<{ id: string }>(db, { limit: 10, leaseMs: 60_000, only: ['evt_c'] }))).toEqual(['evt_c']);
      await queue.retryLater(db, 'evt_c', 'still away');
      const [row] = await db.query<{ attempts: number; error: string; next_attempt_at: Date }>(
        'select attempts, error, next_attempt_at from payment_events where id = $1',
        ['evt_c'],
      );
      expect(row).toEqual({ attempts: 2, error: 'still away', next_attempt_at: new Date(clock.now().getTime() + 10_000) });
    });

    it('when a row is locked by a transaction, then another transaction skips it rather than waiting', async () => {
      const queue = await threeEvents();
      if (kind === 'pglite') return; // one connection: nothing runs beside a transaction
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = db.transaction(async (tx) => {
        await queue.lock(tx, ['evt_a']);
        locked();
        await held;
      });
      await isLocked;
      const other = await db.transaction((tx) => queue.lock<{ id: string }>(tx, ['evt_a', 'evt_b'], 'id'));
      release();
      await holder;
      expect(ids(other)).toEqual(['evt_b']);
    });

    it('when a delivery keeps failing past its policy’s give-up time, then it is given up and never claimed again', async () => {
      db = await openTestStore(kind);
      clock.set('2026-11-21T10:00:00Z');
      const now = clock.now();
      await db.query(
        `insert into accounts (id, kommo_account_id, subdomain, host, status, installed_at, created_at, updated_at) values ('acc', 1, 'x', 'x.kommo.com', 'active', $1, $1, $1)`,
        [now],
      );
      await db.query(
        `insert into webhook_endpoints (id, account_id, url, secret_enc, created_by, created_at) values ('end', 'acc', 'https://example.com/hook', 'x', 1, $1)`,
        [now],
      );
      await db.query(
        `insert into webhook_deliveries (id, event_id, endpoint_id, account_id, type, payload, created_at, next_attempt_at) values ('del', 'evt', 'end', 'acc', 'message.received', '{}', $1, '-infinity')`,
        [now],
      );
      const queue = durableQueue('webhook_deliveries', clock);
      let attempts = 0;
      let gaveUp = false;
      while (!gaveUp && attempts < 100) {
        const [row] = await queue.claim<{ id: string }>(db, { limit: 1, leaseMs: 60_000 });
        expect(row?.id).toBe('del');
        attempts++;
        gaveUp = await queue.retryLater(db, 'del', 'HTTP 500', { also: { last_status: 500 } });
        clock.set((await db.query<{ next_attempt_at: Date | null }>('select next_attempt_at from webhook_deliveries'))[0]!.next_attempt_at ?? clock.now());
      }
      // 30 s, 1, 2, 4, 8, 16, 32 min, then hourly: the pause after the 30th would end past the day.
      expect(attempts).toBe(30);
      const [row] = await db.query<{ attempts: number; last_status: number; gave_up_at: Date | null; next_attempt_at: Date | null }>(
        'select attempts, last_status, gave_up_at, next_attempt_at from webhook_deliveries',
      );
      expect(row).toMatchObject({ attempts: 30, last_status: 500, next_attempt_at: null });
      expect(row!.gave_up_at).not.toBeNull();
      clock.advance(7 * 24 * 3600_000);
      expect(await queue.claim(db, { limit: 1, leaseMs: 60_000 })).toEqual([]);
    });

    it('when another drain is claiming a chat’s older answer from Kommo (not yet committed), then the chat’s newer answer is not taken beside it', async () => {
      db = await openTestStore(kind);
      if (kind === 'pglite') return; // one connection: nothing runs beside a transaction
      clock.set('2026-11-21T10:00:00Z');
      const now = clock.now();
      await db.query(
        `insert into accounts (id, kommo_account_id, subdomain, host, status, installed_at, created_at, updated_at) values ('acc', 1, 'x', 'x.kommo.com', 'active', $1, $1, $1)`,
        [now],
      );
      for (const id of ['r1', 'r2'])
        await db.query(
          `insert into kommo_channel_replies (kommo_msgid, account_id, message_id, chat_id, body, received_at, next_attempt_at) values ($1, 'acc', $1, 'c1', '{}', $2, $2)`,
          [id, now],
        );
      const queue = durableQueue('kommo_channel_replies', clock);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let claimed!: (keys: string[]) => void;
      const firstClaim = new Promise<string[]>((r) => (claimed = r));
      const drainA = db.transaction(async (tx) => {
        claimed((await queue.claim<{ kommo_msgid: string }>(tx, { limit: 1, leaseMs: 60_000 })).map((r) => r.kommo_msgid));
        await held;
      });
      expect(await firstClaim).toEqual(['r1']);
      const drainB = await queue.claim<{ kommo_msgid: string }>(db, { limit: 1, leaseMs: 60_000 });
      release();
      await drainA;
      // r2 going now would reach the customer before r1.
      expect(drainB).toEqual([]);
    });

    it('when an older row of a conversation is leased or waits for its retry, then the newer rows of that conversation wait and other conversations’ are taken; an extended lease keeps a row taken', async () => {
      db = await openTestStore(kind);
      clock.set('2026-11-21T10:00:00Z');
      const now = clock.now();
      await db.query(
        `insert into accounts (id, kommo_account_id, subdomain, host, status, installed_at, created_at, updated_at) values ('acc', 1, 'x', 'x.kommo.com', 'active', $1, $1, $1)`,
        [now],
      );
      await db.query(
        `insert into whatsapp_numbers (id, account_id, phone_number_id, waba_id, display_phone_number, token_enc, connected_by, connected_at) values ('num', 'acc', 'p1', 'w1', '+1', 'x', 1, $1)`,
        [now],
      );
      for (const c of ['c1', 'c2'])
        await db.query(`insert into conversations (id, account_id, number_id, wa_id, created_at, updated_at) values ($1, 'acc', 'num', $1, $2, $2)`, [c, now]);
      // c1: messages 1, 2; c2: message 3.
      for (const [m, c] of [
        ['m1', 'c1'],
        ['m2', 'c1'],
        ['m3', 'c2'],
      ]) {
        await db.query(
          `insert into kommo_channel_outbox (account_id, conversation_id, kind, message_id, next_attempt_at) values ('acc', $1, 'message', $2, $3)`,
          [c, m, now],
        );
      }
      const queue = durableQueue('kommo_channel_outbox', clock);
      const messages = (rows: { message_id: string }[]) => rows.map((r) => r.message_id);
      const [first] = await queue.claim<{ seq: string; message_id: string }>(db, { limit: 1, leaseMs: 60_000 });
      expect(first?.message_id).toBe('m1');
      // m1 is leased: m2 waits behind it, m3 (another conversation) goes.
      const other = await queue.claim<{ seq: string; message_id: string }>(db, { limit: 10, leaseMs: 60_000 });
      expect(messages(other)).toEqual(['m3']);
      await queue.done(
        db,
        other.map((r) => r.seq),
      );
      clock.advance(50_000);
      await queue.extend(db, [first!.seq], 60_000);
      clock.advance(20_000);
      expect(await queue.claim(db, { limit: 10, leaseMs: 60_000 })).toEqual([]);
      // m1 fails: m2 still waits until m1 is due again, then m1 comes first.
      await queue.retryLater(db, first!.seq, 'amojo away');
      expect(await queue.claim(db, { limit: 10, leaseMs: 60_000 })).toEqual([]);
      clock.advance(60_000);
      expect(messages(await queue.claim<{ message_id: string }>(db, { limit: 10, leaseMs: 60_000 }))).toEqual(['m1', 'm2']);
    });
  });
}
