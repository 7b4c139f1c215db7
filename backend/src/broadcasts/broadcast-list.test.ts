import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { accountWithAudience, broadcastReady, springSale } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { randomIds } from '../ids';
import { defaultPriceList } from '../licensing/plans';
import type { Db } from '../store/db';
import { createBroadcastService } from './broadcast-service';

/** The app's store, counting the statements sent through it. */
function counting(db: Db) {
  const statements: string[] = [];
  const counted: Db = {
    kind: db.kind,
    query: (sql, params) => {
      statements.push(sql);
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
    listen: (channel, onPayload) => db.listen(channel, onPayload),
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
  };
  return { db: counted, statements };
}

for (const kind of storeKinds()) {
  describe(`the broadcast list (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when an account has several broadcasts, then the list reads all their counts in one query, not one per broadcast', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)] });
      const { auth, accountId, numbers } = await broadcastReady(t);
      for (const ids of [[10_001], [10_001, 10_002], [10_001, 10_002, 10_003]]) {
        expect((await t.http.post('/api/v1/broadcasts', springSale(numbers, ids, { name: `To ${ids.length}` }), { headers: auth })).status).toBe(201);
      }
      const totals = (list: { name: string; counts: { total: number; queued: number } }[]) =>
        Object.fromEntries(list.map((b) => [b.name, [b.counts.total, b.counts.queued]]));
      const store = counting(t.db);
      const broadcasts = createBroadcastService({
        db: store.db,
        clock: t.clock,
        ids: randomIds,
        logger: pino({ level: 'silent' }),
        licences: t.licences,
        audience: { read: () => (async function* () {})() },
        prices: defaultPriceList,
        ratePerSecond: 80,
      });

      const list = await broadcasts.list(accountId);

      expect(totals(list)).toEqual({ 'To 1': [1, 1], 'To 2': [2, 2], 'To 3': [3, 3] });
      expect(store.statements).toHaveLength(2);
      expect(totals((await t.http.get('/api/v1/broadcasts', { headers: auth })).data.broadcasts)).toEqual({ 'To 1': [1, 1], 'To 2': [2, 2], 'To 3': [3, 3] });
    });
  });
}
