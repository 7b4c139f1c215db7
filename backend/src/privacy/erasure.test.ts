import { readFile } from 'node:fs/promises';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';
import { afterEach, describe, expect, it } from 'vitest';
import { accountWithAudience, broadcastReady, phoneOf, runEngine, springSale, waIdOf } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { createOrder } from '../../test/payments-helpers';
import { storeKinds } from '../../test/stores';
import type { Queryable } from '../store/db';

const DAY = 86_400_000;
const CUSTOMERS = [1, 2, 3];
const TEXTS = [
  'Is my parcel on its way?',
  'photo of the broken lid',
  'Yes, it left this morning',
  'Sent through the API to customer two',
  'Are you still there?',
];
/** What must not survive: the customers' phones (as WhatsApp ids and as Kommo had them), names and message texts. */
const NEEDLES = [...CUSTOMERS.flatMap((i) => [waIdOf(i), phoneOf(i), `Customer ${i}`]), ...TEXTS];

/** Every text, json and jsonb column of every table of the current schema, with the rows holding any needle. */
async function scan(db: Queryable, needles: string[]) {
  const columns = await db.query<{ table_name: string; column_name: string }>(
    `select c.table_name, c.column_name from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.table_schema = current_schema() and c.data_type in ('text', 'json', 'jsonb', 'character varying', 'ARRAY')`,
  );
  const patterns = needles.map((n) => `%${n.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
  const found: string[] = [];
  for (const { table_name, column_name } of columns) {
    const rows = await db.query<{ value: string }>(
      `select "${column_name}"::text as value from "${table_name}" where "${column_name}"::text ilike any($1::text[])`,
      [patterns],
    );
    for (const row of rows) found.push(`${table_name}.${column_name}: ${row.value.slice(0, 120)}`);
  }
  return { columns: columns.length, found };
}

/** The tables `docs/privacy.md` gives a decision for, with what happens on withdrawal. */
async function documentedTables() {
  const doc = await readFile(new URL('../../../docs/privacy.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| `([a-z_]+)` \| ([^|]+) \|/gm)];
  return new Map(rows.map((m) => [m[1]!, m[2]!.trim()]));
}

for (const kind of storeKinds()) {
  describe(`consent withdrawal erases personal data (${kind})`, { timeout: 240_000 }, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    /** An account in use: a registered buyer with an invoice, chats with text and media, a sent broadcast to a saved audience, an API key that sent, a webhook. */
    async function accountInUse() {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)] });
      const { auth, accountId, numbers } = await broadcastReady(t);
      const pnid = numbers[0]!.phoneNumberId;
      const registered = await t.http.put(
        '/api/v1/registration',
        {
          lastName: 'Brandt',
          firstName: 'Ilse',
          email: 'ilse@brandt.example',
          phone: '+4915112345678',
          city: 'Bremen',
          termsVersion: '2026-11-01',
          acceptTerms: true,
        },
        { headers: auth },
      );
      expect(registered.status).toBe(200);
      const order = await createOrder(t, auth, { method: 'invoice' });

      await t.fakeWhatsApp.customerWrites(pnid, phoneOf(1), TEXTS[0]!, { name: 'Customer 1' });
      await t.fakeWhatsApp.customerSendsImage(pnid, phoneOf(1), Buffer.from('jpeg bytes'), TEXTS[1]);
      await t.settle();
      const [conversation] = await t.db.query<{ id: string }>('select id from conversations where wa_id = $1', [waIdOf(1)]);
      const reply = await t.http.post(`/api/v1/conversations/${conversation!.id}/messages`, { type: 'text', text: TEXTS[2] }, { headers: auth });
      expect(reply.status, JSON.stringify(reply.data)).toBe(201);

      const draft = await t.http.post('/api/v1/broadcasts', springSale(numbers, [10_001, 10_002, 10_003], { saveAudienceAs: 'Best customers' }), {
        headers: auth,
      });
      expect(draft.status, JSON.stringify(draft.data)).toBe(201);
      expect((await t.http.post(`/api/v1/broadcasts/${draft.data.id}/launch`, {}, { headers: auth })).status).toBe(200);
      await runEngine(t);

      const key = await t.http.post('/api/v1/api-keys', { name: 'Zapier' }, { headers: auth });
      expect(key.status).toBe(201);
      expect((await t.http.post('/api/v1/webhooks', { url: 'https://hooks.example.com/wabridge' }, { headers: auth })).status).toBe(201);
      await t.fakeWhatsApp.customerWrites(pnid, phoneOf(2), 'Hi', { name: 'Customer 2' });
      await t.settle();
      const sent = await t.http.post(
        '/api/v1/messages',
        { type: 'text', numberId: numbers[0]!.id, to: phoneOf(2), text: TEXTS[3] },
        { headers: { Authorization: `Bearer ${key.data.key}`, 'Idempotency-Key': 'shipped-2' } },
      );
      expect(sent.status, JSON.stringify(sent.data)).toBeLessThan(300);
      await t.settle();
      return { auth, accountId, pnid, order };
    }

    it('when the purge runs after a withdrawal, then no column of any table holds the customers’ phones, names or messages, and the orders and invoice remain', async () => {
      const { auth, accountId, order } = await accountInUse();
      // The seed reached every place personal data lives: a scan finds it before.
      const before = await scan(t.db, NEEDLES);
      for (const table of ['conversations', 'messages', 'broadcast_recipients', 'whatsapp_inbox', 'api_idempotency']) {
        expect(
          before.found.some((f) => f.startsWith(`${table}.`)),
          `${table} before the purge`,
        ).toBe(true);
      }

      expect((await t.http.post('/api/v1/consent/withdraw', { confirm: true }, { headers: auth })).status).toBe(200);
      t.clock.advance(DAY);
      expect((await t.privacy.purge()).personalDataDeleted).toBe(1);

      const after = await scan(t.db, NEEDLES);
      expect(after.columns).toBeGreaterThan(50);
      expect(after.found).toEqual([]);
      for (const table of [
        'whatsapp_numbers',
        'saved_audiences',
        'broadcasts',
        'account_users',
        'registrations',
        'kommo_tokens',
        'api_keys',
        'webhook_endpoints',
      ]) {
        expect(await t.db.query(`select 1 from ${table} where account_id = $1`, [accountId]), table).toHaveLength(0);
      }
      // Accounting records stay, with the buyer's legal details on them.
      const orders = await t.db.query<{ number: string; amount_due: number; buyer: { name: string; city: string } }>(
        'select number, amount_due, buyer from orders where account_id = $1',
        [accountId],
      );
      expect(orders).toEqual([{ number: order.number, amount_due: order.amountDue, buyer: { name: 'Brandt Ilse', city: 'Bremen' } }]);
      const invoice = await t.http.get(order.invoiceUrl!);
      expect(invoice.status).toBe(200);
      expect(invoice.data).toContain(order.number);
      expect(invoice.data).toContain('Brandt Ilse');
      expect(invoice.data).not.toContain('ilse@brandt.example');
      expect(await t.db.query('select 1 from licence_periods where account_id = $1', [accountId])).not.toHaveLength(0);
    });

    it('when an account withdrew consent, then its inbound WhatsApp is acknowledged and nothing of it is stored', async () => {
      const { auth, pnid } = await accountInUse();
      expect((await t.http.post('/api/v1/consent/withdraw', { confirm: true }, { headers: auth })).status).toBe(200);
      const acknowledged = t.fakeWhatsApp.deliveries.length;

      // A customer the account never had.
      await t.fakeWhatsApp.customerWrites(pnid, phoneOf(9), TEXTS[4]!, { name: 'Rosa Newcomer' });
      await t.settle();

      expect(t.fakeWhatsApp.deliveries.slice(acknowledged).map((d) => d.status)).toEqual([200]);
      expect((await scan(t.db, [waIdOf(9), 'Rosa Newcomer', TEXTS[4]!])).found).toEqual([]);
    });

    it('when an account that withdrew consent is installed again, then the next purge deletes what the install brought back', async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
      const { auth } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      expect((await t.http.post('/api/v1/consent/withdraw', { confirm: true }, { headers: auth })).status).toBe(200);
      expect((await t.privacy.purge()).personalDataDeleted).toBe(1);
      await t.fake.uninstall(DEMO_ACCOUNT_ID);
      t.clock.advance(DAY);
      await t.install(DEMO_ACCOUNT_ID);
      expect(await t.db.query('select 1 from kommo_tokens')).toHaveLength(1);

      expect((await t.privacy.purge()).personalDataDeleted).toBe(1);
      expect(await t.db.query('select 1 from kommo_tokens')).toHaveLength(0);
      expect(
        await t.db.query('select 1 from accounts where name is not null or installed_by_user_id is not null or installed_by_name is not null'),
      ).toHaveLength(0);
      expect((await t.privacy.purge()).personalDataDeleted).toBe(0);
    });

    it('when a table is in the schema, then docs/privacy.md says what happens to it, and every table the purge deletes is documented as deleted', async () => {
      t = await startTestApp(kind);
      const tables = await t.db.query<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
      );
      const documented = await documentedTables();
      expect([...documented.keys()].sort()).toEqual(tables.map((r) => r.table_name));
      const { DELETED_BY_ACCOUNT } = await import('./personal-data-store');
      for (const table of DELETED_BY_ACCOUNT) expect(documented.get(table), table).toMatch(/^Deleted/);
    });
  });
}
