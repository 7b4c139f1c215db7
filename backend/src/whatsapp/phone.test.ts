import { afterEach, describe, expect, it } from 'vitest';
import { demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { broadcastReady, runEngine, springSale } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { normalisePhone } from './phone';

describe('the one phone normaliser', () => {
  it('when a Brazilian account gets one mobile written five ways, then each is the same wa_id', () => {
    for (const raw of ['(21) 98765-4321', '21 98765 4321', '021 98765-4321', '+55 21 98765-4321', '+5521987654321', '5521987654321', '0055 21 98765-4321']) {
      expect(normalisePhone(raw, 'BR'), raw).toEqual({ waId: '5521987654321' });
    }
  });

  it('when a number has no country code and is not valid in the account’s country, then it is read as international digits', () => {
    expect(normalisePhone('14155552671', 'BR')).toEqual({ waId: '14155552671' });
    expect(normalisePhone('+49 151 12345678', 'BR')).toEqual({ waId: '4915112345678' });
    expect(normalisePhone('(415) 555-2671', 'US')).toEqual({ waId: '14155552671' });
  });

  it('when the text is not a valid phone (or a national one with no account country), then it is invalid', () => {
    for (const raw of ['call me', '', '12345', '+55 21 1234', '+1 555 123 4567', '98765-4321', '++5521987654321']) {
      expect(normalisePhone(raw, 'BR'), raw).toEqual({ problem: 'invalid_number' });
    }
    expect(normalisePhone('(21) 98765-4321', null)).toEqual({ problem: 'invalid_number' });
  });
});

/** A Brazilian account (the fake's country is BR) whose one contact's phone is written as Brazilians write it. */
const account = demoKommoAccount({
  contacts: [{ id: 20_001, name: 'Ana Souza', phones: ['(21) 98765-4321'], fields: [{ id: 700_001, name: 'City', value: 'Rio' }] }],
  leads: [{ id: 10_001, name: 'Order 7', price: 100, contactIds: [20_001], responsibleUserId: 8_100_002 }],
});
const WA_ID = '5521987654321';

for (const kind of storeKinds()) {
  describe(`one customer, one conversation, whichever way the phone came (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    async function apiKey(auth: Record<string, string>) {
      const created = await t.http.post('/api/v1/api-keys', { name: 'Shop' }, { headers: auth });
      expect(created.status, JSON.stringify(created.data)).toBe(201);
      return { Authorization: `Bearer ${created.data.key}` };
    }
    const conversations = () => t.db.query<{ wa_id: string }>('select wa_id from conversations');

    it('when the chat opens "(21) 98765-4321" and the public API, the digital pipeline, a broadcast and the customer use +5521987654321, then there is one conversation', async () => {
      t = await startTestApp(kind, { accounts: [account] });
      const { auth, numbers } = await broadcastReady(t);
      const key = await apiKey(auth);

      const opened = await t.http.post('/api/v1/conversations', { numberId: numbers[0]!.id, phone: '(21) 98765-4321' }, { headers: auth });
      expect(opened.status, JSON.stringify(opened.data)).toBe(201);
      expect(opened.data.waId).toBe(WA_ID);

      const sent = await t.http.post(
        '/api/v1/messages',
        { type: 'template', numberId: numbers[0]!.id, to: '+5521987654321', name: 'order_update', language: 'en_US', bodyParameters: ['Ana', '#7'] },
        { headers: key },
      );
      expect(sent.status, JSON.stringify(sent.data)).toBe(201);
      const found = await t.http.get(`/api/v1/conversations?phone=${encodeURIComponent('021 98765-4321')}`, { headers: key });
      expect(found.data.conversations.map((c: { id: string }) => c.id)).toEqual([opened.data.id]);

      const automation = await t.http.post(
        '/api/v1/automations',
        { name: 'Order update', template: 'order_update', language: 'en_US', parameters: ['{{contact.first_name}}', '{{lead.name}}'] },
        { headers: auth },
      );
      expect(automation.status, JSON.stringify(automation.data)).toBe(201);
      await t.fake.moveLeadToStage(31_000_001, 10_001, 555_001, { automation: automation.data.id });
      await t.settle();
      await t.digitalPipeline.processPending();
      await t.settle();

      const draft = await t.http.post(
        '/api/v1/broadcasts',
        { ...springSale(numbers, []), parameters: [{ value: 'Ana' }, { value: '20%' }], audience: { phones: ['+55 21 98765-4321', '(21) 98765-4321'] } },
        { headers: key },
      );
      expect(draft.status, JSON.stringify(draft.data)).toBe(201);
      expect(draft.data.dryRun).toMatchObject({ recipients: 1 });
      expect((await t.http.post(`/api/v1/broadcasts/${draft.data.id}/launch`, { expectedRecipients: 1 }, { headers: key })).status).toBe(200);
      await runEngine(t);

      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, '+5521987654321', 'Thanks!');
      await t.settle();

      const templates = t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.wamid);
      expect(templates.map((s) => s.body.to)).toEqual(['+5521987654321', '+5521987654321', '+5521987654321']);
      expect(await conversations()).toEqual([{ wa_id: WA_ID }]);
      const messages = (await t.http.get(`/api/v1/conversations/${opened.data.id}/messages`, { headers: auth })).data.messages;
      expect(messages).toHaveLength(4);
    });

    it('when a phone is not a phone, then chat open, the public API send and the conversation filter answer 400 invalid_phone, and nothing is created', async () => {
      t = await startTestApp(kind, { accounts: [account] });
      const { auth, numbers } = await broadcastReady(t);
      const key = await apiKey(auth);
      const template = (to: string) => ({
        type: 'template',
        numberId: numbers[0]!.id,
        to,
        name: 'order_update',
        language: 'en_US',
        bodyParameters: ['Ana', '#7'],
      });
      const refused = [
        await t.http.post('/api/v1/conversations', { numberId: numbers[0]!.id, phone: 'call me' }, { headers: auth }),
        await t.http.post('/api/v1/conversations', { numberId: numbers[0]!.id, phone: '+55 21 1234' }, { headers: auth }),
        await t.http.post('/api/v1/conversations', { numberId: numbers[0]!.id, phone: '98765-4321' }, { headers: key }),
        await t.http.post('/api/v1/messages', template('+55 21 1234'), { headers: key }),
        await t.http.post('/api/v1/messages', template('+1 555 123 4567'), { headers: key }),
        await t.http.get(`/api/v1/conversations?phone=${encodeURIComponent('+55 21 1234')}`, { headers: key }),
      ];
      for (const r of refused) {
        expect(r.status, JSON.stringify(r.data)).toBe(400);
        expect(r.data.error.code).toBe('invalid_phone');
        expect(r.data.error.message).toMatch(/not a valid phone number/);
      }
      expect(await conversations()).toEqual([]);
      expect(t.fakeWhatsApp.sent).toEqual([]);
    });
  });
}
