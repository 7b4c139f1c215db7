import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID, DEMO_LEAD_ID, demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { fillQuickReply, placeholdersOf } from './quick-reply-rules';

describe('filling a quick reply', () => {
  const crm = {
    contact: { name: 'Maria Silva', firstName: '', lastName: 'Silva', fields: { '700001': 'Rio de Janeiro' } },
    lead: { name: 'Website order #1001', price: 1200, fields: { '800001': 'Friday' } },
  };

  it('when the text names the contact, the lead and a custom field, then each is replaced by the CRM value', () => {
    expect(fillQuickReply('Hi {{contact.first_name}}, {{ lead.name }} ships to {{contact.cf.700001}}. {{contact.name}}/{{contact.last_name}}', crm)).toEqual({
      text: 'Hi Maria, Website order #1001 ships to Rio de Janeiro. Maria Silva/Silva',
      missing: [],
    });
  });

  it("when the text names the lead's sale value and a custom field of the lead, then each is replaced by the CRM value", () => {
    expect(fillQuickReply('{{lead.name}}: {{lead.price}}, delivered {{ lead.cf.800001 }}', crm)).toEqual({
      text: 'Website order #1001: 1200, delivered Friday',
      missing: [],
    });
    // A lead without a sale value (0 in Kommo) or without the field: named as missing.
    expect(fillQuickReply('{{lead.price}} {{lead.cf.800002}}', { ...crm, lead: { ...crm.lead, price: 0 } }).missing).toEqual(['lead.price', 'lead.cf.800002']);
  });

  it('when the CRM has no value for a placeholder, then it is dropped from the text and named as missing', () => {
    expect(fillQuickReply('Hi {{contact.first_name}}, about {{lead.name}} in {{contact.cf.999}}', { contact: crm.contact, lead: null })).toEqual({
      text: 'Hi Maria, about in',
      missing: ['lead.name', 'contact.cf.999'],
    });
  });

  it('when the text has an unknown placeholder, then it is left as written', () => {
    expect(fillQuickReply('Hi {{contact.nickname}}', crm).text).toBe('Hi {{contact.nickname}}');
    expect(placeholdersOf('{{lead.name}} {{contact.cf.1}} {{lead.name}} {{x}}')).toEqual(['lead.name', 'contact.cf.1']);
  });
});

for (const kind of storeKinds()) {
  describe(`quick replies (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    const ready = async () => {
      t = await startTestApp(kind, {
        accounts: [
          demoKommoAccount({
            contacts: [{ id: 2_001, name: 'Maria Silva', phones: ['+55 11 91234-5678'], fields: [{ id: 700_001, name: 'City', value: 'Rio de Janeiro' }] }],
            leads: [
              {
                id: DEMO_LEAD_ID,
                name: 'Website order #1001',
                price: 1200,
                contactIds: [2_001],
                fields: [{ id: 800_001, name: 'Delivery day', value: 'Friday' }],
              },
              { id: 1_002, name: 'Repeat order #1002', price: 800, contactIds: [2_002] },
            ],
          }),
        ],
      });
      await t.install(DEMO_ACCOUNT_ID);
      const admin = (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth;
      const agent = (await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID)).auth;
      return { admin, agent };
    };
    const list = async (auth: Record<string, string>) =>
      (await t.http.get('/api/v1/quick-replies', { headers: auth })).data.quickReplies as { id: string; shortcut: string; scope: string; editable: boolean }[];

    it("when an admin saves an account reply and an agent saves a personal one, then the agent sees both (own first) and the admin only the account's", async () => {
      const { admin, agent } = await ready();
      const shared = await t.http.post('/api/v1/quick-replies', { shortcut: 'Hours', text: 'We are open 9–18.', scope: 'account' }, { headers: admin });
      expect(shared.status).toBe(201);
      expect(shared.data).toMatchObject({ shortcut: 'hours', scope: 'account', editable: true });
      const own = await t.http.post('/api/v1/quick-replies', { shortcut: 'thanks', text: 'Thank you, {{contact.first_name}}!' }, { headers: agent });
      expect(own.status).toBe(201);
      expect((await list(agent)).map((r) => [r.shortcut, r.scope, r.editable])).toEqual([
        ['thanks', 'personal', true],
        ['hours', 'account', false],
      ]);
      expect((await list(admin)).map((r) => r.shortcut)).toEqual(['hours']);
    });

    it("when an agent tries to add, change or delete the account's replies, then they are refused and nothing changes", async () => {
      const { admin, agent } = await ready();
      const added = await t.http.post('/api/v1/quick-replies', { shortcut: 'hours', text: 'Open 9–18.', scope: 'account' }, { headers: agent });
      expect([added.status, added.data.error.code]).toEqual([403, 'admin_only']);
      const shared = (await t.http.post('/api/v1/quick-replies', { shortcut: 'hours', text: 'Open 9–18.', scope: 'account' }, { headers: admin })).data;
      const changed = await t.http.put(`/api/v1/quick-replies/${shared.id}`, { shortcut: 'hours', text: 'Closed.', scope: 'account' }, { headers: agent });
      expect([changed.status, changed.data.error.code]).toEqual([403, 'admin_only']);
      const deleted = await t.http.delete(`/api/v1/quick-replies/${shared.id}`, { headers: agent });
      expect(deleted.status).toBe(403);
      expect((await list(admin)).map((r) => r.shortcut)).toEqual(['hours']);
      expect((await t.http.get('/api/v1/quick-replies', { headers: admin })).data.quickReplies[0].text).toBe('Open 9–18.');
    });

    it("when a user asks for another user's personal reply, then it is not found, to change, delete or fill", async () => {
      const { admin, agent } = await ready();
      const own = (await t.http.post('/api/v1/quick-replies', { shortcut: 'mine', text: 'Mine.' }, { headers: agent })).data;
      expect((await t.http.put(`/api/v1/quick-replies/${own.id}`, { shortcut: 'mine', text: 'Theirs.' }, { headers: admin })).status).toBe(404);
      expect((await t.http.delete(`/api/v1/quick-replies/${own.id}`, { headers: admin })).status).toBe(404);
      expect((await t.http.post(`/api/v1/quick-replies/${own.id}/fill`, { contactId: 2_001 }, { headers: admin })).status).toBe(404);
      expect((await list(agent))[0]).toMatchObject({ shortcut: 'mine' });
    });

    it('when a shortcut is taken in the same scope, then it is refused; in the other scope it is allowed', async () => {
      const { admin, agent } = await ready();
      expect((await t.http.post('/api/v1/quick-replies', { shortcut: 'hi', text: 'Hi!', scope: 'account' }, { headers: admin })).status).toBe(201);
      const again = await t.http.post('/api/v1/quick-replies', { shortcut: 'HI', text: 'Hello!', scope: 'account' }, { headers: admin });
      expect([again.status, again.data.error.code]).toEqual([409, 'quick_reply_shortcut_taken']);
      expect((await t.http.post('/api/v1/quick-replies', { shortcut: 'hi', text: 'Hey!' }, { headers: agent })).status).toBe(201);
      const second = (await t.http.post('/api/v1/quick-replies', { shortcut: 'bye', text: 'Bye!' }, { headers: agent })).data;
      const renamed = await t.http.put(`/api/v1/quick-replies/${second.id}`, { shortcut: 'hi', text: 'Bye!' }, { headers: agent });
      expect([renamed.status, renamed.data.error.code]).toEqual([409, 'quick_reply_shortcut_taken']);
      const bad = await t.http.post('/api/v1/quick-replies', { shortcut: 'two words', text: 'x' }, { headers: agent });
      expect([bad.status, bad.data.error.issues[0].path]).toEqual([400, 'body.shortcut']);
    });

    /** Maria (contact 2001) writes to the account's number: she is the customer of one of its chats. */
    const mariaWrites = async (admin: Record<string, string>) => {
      const number = t.fakeWhatsApp.addNumber();
      expect(
        (await t.http.post('/api/v1/numbers', { phoneNumberId: number.phoneNumberId, wabaId: number.wabaId, accessToken: number.token }, { headers: admin }))
          .status,
      ).toBe(201);
      await t.fakeWhatsApp.customerWrites(number.phoneNumberId, '+5511912345678', 'Hello', { name: 'Maria Silva' });
      await t.settle();
    };

    it("when an agent fills a reply for the card's contact and lead, then the text carries the CRM's current values, read from Kommo", async () => {
      const { admin, agent } = await ready();
      await mariaWrites(admin);
      const reply = (
        await t.http.post(
          '/api/v1/quick-replies',
          {
            shortcut: 'ship',
            text: 'Hi {{contact.first_name}}, {{lead.name}} ({{lead.price}}) ships to {{contact.cf.700001}} {{contact.cf.123}} on {{lead.cf.800001}}.',
          },
          { headers: agent },
        )
      ).data;
      const filled = await t.http.post(`/api/v1/quick-replies/${reply.id}/fill`, { contactId: 2_001, leadId: DEMO_LEAD_ID }, { headers: agent });
      expect(filled.status).toBe(200);
      expect(filled.data).toEqual({ text: 'Hi Maria, Website order #1001 (1200) ships to Rio de Janeiro on Friday.', missing: ['contact.cf.123'] });
      // A contact card: no lead, so the lead's values are missing rather than guessed.
      const inContact = await t.http.post(`/api/v1/quick-replies/${reply.id}/fill`, { contactId: 2_001 }, { headers: agent });
      expect(inContact.data.missing).toEqual(['lead.name', 'lead.price', 'contact.cf.123', 'lead.cf.800001']);
    });

    it('when an agent fills a reply for a contact who is the customer of none of the account’s chats, or with a lead that is not that contact’s, then nothing of them is filled in', async () => {
      t = await startTestApp(kind, {
        accounts: [
          demoKommoAccount({
            contacts: [
              { id: 2_001, name: 'Maria Silva', phones: ['+55 11 91234-5678'], fields: [{ id: 700_001, name: 'City', value: 'Rio de Janeiro' }] },
              { id: 2_002, name: 'João Pereira', phones: ['(21) 98765-4321'], fields: [{ id: 700_001, name: 'City', value: 'Niterói' }] },
            ],
          }),
        ],
      });
      await t.install(DEMO_ACCOUNT_ID);
      const admin = (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth;
      const agent = (await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID)).auth;
      await mariaWrites(admin);
      const reply = (
        await t.http.post(
          '/api/v1/quick-replies',
          { shortcut: 'ship', text: 'Hi {{contact.first_name}}, {{lead.name}} ships to {{contact.cf.700001}}.' },
          { headers: agent },
        )
      ).data;
      // João never wrote: no chat of the account is with him, so his card's values are not read out.
      const joao = await t.http.post(`/api/v1/quick-replies/${reply.id}/fill`, { contactId: 2_002, leadId: 1_002 }, { headers: agent });
      expect(joao.status).toBe(200);
      expect(joao.data).toEqual({ text: 'Hi , ships to .', missing: ['contact.first_name', 'lead.name', 'contact.cf.700001'] });
      // Maria's chat with João's lead: Maria's values, not the lead's name.
      const mixed = await t.http.post(`/api/v1/quick-replies/${reply.id}/fill`, { contactId: 2_001, leadId: 1_002 }, { headers: agent });
      expect(mixed.data).toEqual({ text: 'Hi Maria, ships to Rio de Janeiro.', missing: ['lead.name'] });
    });

    it('when a user deletes their own reply, then it is gone from their list', async () => {
      const { agent } = await ready();
      const own = (await t.http.post('/api/v1/quick-replies', { shortcut: 'tmp', text: 'Temporary.' }, { headers: agent })).data;
      expect((await t.http.delete(`/api/v1/quick-replies/${own.id}`, { headers: agent })).status).toBe(204);
      expect(await list(agent)).toEqual([]);
    });
  });
}
