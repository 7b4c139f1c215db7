import { afterEach, describe, expect, it } from 'vitest';
import { accountWithAudience, broadcastReady, phoneOf, waIdOf } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

/** SPEC §6, docs/decisions/035: an automated template is refused to a customer who opted out, even when the opt-out lands between the send's read and its write. */
for (const kind of storeKinds()) {
  describe(`opt-out between the send's read and its write (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when the customer opts out after the send read its facts and before it stored the message, then the API template is refused 409 opted_out, nothing reaches WhatsApp and the allowance is untouched', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)] });
      const { auth, numbers } = await broadcastReady(t);
      const key = { Authorization: `Bearer ${(await t.http.post('/api/v1/api-keys', { name: 'Zapier' }, { headers: auth })).data.key}` };
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(1), 'Hi');
      await t.settle();
      const usedBefore = (await t.http.get('/api/v1/licence', { headers: auth })).data.allowance.used as number;

      // The opt-out commits right after the send's read (the statement that reads `opted_out`) answered.
      const query = t.db.query;
      let armed = true;
      t.db.query = (async (sql: string, params?: unknown[]) => {
        const rows = await query(sql, params);
        if (armed && sql.includes(' as opted_out,')) {
          armed = false;
          await query('update conversations set opted_out_at = $2 where wa_id = $1', [waIdOf(1), t.clock.now()]);
        }
        return rows;
      }) as typeof t.db.query;

      const sent = await t.http.post(
        '/api/v1/messages',
        { type: 'template', numberId: numbers[0]!.id, to: phoneOf(1), name: 'come_back', language: 'en_US', bodyParameters: ['friend'] },
        { headers: key },
      );
      t.db.query = query;
      expect(armed).toBe(false);
      expect(sent.status, JSON.stringify(sent.data)).toBe(409);
      expect(sent.data.error.code).toBe('opted_out');
      expect(t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template')).toHaveLength(0);
      expect(await t.db.query(`select 1 from messages where direction = 'out'`)).toHaveLength(0);
      expect((await t.http.get('/api/v1/licence', { headers: auth })).data.allowance.used).toBe(usedBefore);

      // The re-check is the customer's own: another customer still gets the template.
      const other = await t.http.post(
        '/api/v1/messages',
        { type: 'template', numberId: numbers[0]!.id, to: phoneOf(2), name: 'come_back', language: 'en_US', bodyParameters: ['friend'] },
        { headers: key },
      );
      expect(other.status, JSON.stringify(other.data)).toBe(201);
    });
  });
}
