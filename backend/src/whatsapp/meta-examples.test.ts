import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MetaWebhookBody } from '../../../contract/meta-webhook';
import { MessagePage } from '../../../contract/whatsapp';
import {
  inbound,
  metaMessages,
  systemChangedNumber,
  templateStatusUpdate,
  userPreferences,
  statusUpdate,
  type MetaCustomer,
} from '../../../fakes/whatsapp/meta-examples';
import { accountWithAudience, broadcastReady, springSale } from '../../test/broadcast-helpers';
import { startTestApp, WHATSAPP_APP_SECRET, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { chatReady, CUSTOMER } from '../../test/whatsapp-helpers';

const WA = CUSTOMER.replace(/\D/g, '');
let seq = 0;
const wamid = () => `wamid.HBgNNTUxMTkxMjM0NTY3OBUCABIYFDNB${String(++seq).padStart(6, '0')}`;

/** Posts a body to the real intake as Meta does: the raw bytes signed with the app secret. */
async function postSigned(t: TestApp, body: unknown) {
  const raw = JSON.stringify(body);
  const response = await t.http.post('/whatsapp/webhook', raw, {
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': 'sha256=' + createHmac('sha256', WHATSAPP_APP_SECRET).update(raw).digest('hex') },
  });
  expect(response.status).toBe(200);
  await t.tasks.idle();
}

type Message = {
  id: string;
  direction: string;
  type: string;
  content: Record<string, unknown>;
  replyTo: { id: string; direction: string; type: string; content: Record<string, unknown> } | null;
  reaction: string | null;
};

/** The conversation's messages as the widget reads them (checked against the contract), newest first. */
async function widgetMessages(t: TestApp, auth: Record<string, string>, conversationId: string): Promise<Message[]> {
  const page = (await t.http.get(`/api/v1/conversations/${conversationId}/messages`, { headers: auth })).data;
  return MessagePage.parse(page).messages as Message[];
}

async function conversations(t: TestApp, auth: Record<string, string>) {
  return (await t.http.get('/api/v1/conversations', { headers: auth })).data.conversations as {
    id: string;
    waId: string;
    username: string | null;
    customerName: string | null;
    windowClosesAt: string | null;
  }[];
}

for (const kind of storeKinds()) {
  describe(`Meta's published webhook shapes (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    const ts = () => String(Math.floor(t.clock.now().getTime() / 1000));
    const number = (f: { wabaId: string; phoneNumberId: string; displayPhoneNumber: string }) => ({
      wabaId: f.wabaId,
      phoneNumberId: f.phoneNumberId,
      displayPhoneNumber: f.displayPhoneNumber,
    });
    const customerSays = (f: Parameters<typeof number>[0], message: Record<string, unknown>, who: MetaCustomer = { waId: WA, name: 'Maria Silva' }) => {
      const id = wamid();
      return { id, body: inbound(number(f), who, { id, timestamp: ts(), ...message } as Parameters<typeof inbound>[2]) };
    };

    it('when Meta pauses a template by its id, writing its language "en-US", then the running broadcast of the "en_US" template pauses', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)] });
      const { auth, numbers } = await broadcastReady(t);
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, [10_001, 10_002, 10_003]), { headers: auth })).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: auth });
      const [template] = await t.db.query<{ template_id: string }>(`select template_id from whatsapp_templates where name = 'spring_sale'`);
      expect(template!.template_id).toMatch(/^\d+$/);
      await postSigned(
        t,
        templateStatusUpdate(numbers[0]!.wabaId, {
          id: template!.template_id,
          name: 'spring_sale',
          language: 'en-US',
          event: 'PAUSED',
          reason: 'LOW_QUALITY',
          time: Number(ts()),
        }),
      );
      const paused = (await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: auth })).data;
      expect(paused.status).toBe('paused');
      expect(paused.pause.detail).toContain('LOW_QUALITY');
      const [stored] = await t.db.query<{ status: string; language: string }>(`select status, language from whatsapp_templates where name = 'spring_sale'`);
      expect(stored).toEqual({ status: 'PAUSED', language: 'en_US' });
    });

    it('when the customer taps a template’s quick-reply button, then the message and its Kommo note show the button’s text', async () => {
      t = await startTestApp(kind);
      const { auth, fakeNumber, conversation } = await chatReady(t);
      const sent = await t.http.post(
        `/api/v1/conversations/${conversation.id}/messages`,
        { type: 'template', name: 'come_back', language: 'en_US', bodyParameters: ['Maria'] },
        { headers: auth },
      );
      const [ours] = await t.db.query<{ wamid: string }>('select wamid from messages where id = $1', [sent.data.id]);
      const tap = customerSays(fakeNumber, metaMessages.button(number(fakeNumber), ours!.wamid, 'Talk to an agent', 'TALK'));
      await postSigned(t, tap.body);
      await t.settle();
      await t.timeline.drain();
      expect(t.fake.notes.map((n) => n.params.text)).toContain('Tapped the button “Talk to an agent”');
      const [newest] = await widgetMessages(t, auth, conversation.id);
      expect(newest).toMatchObject({ type: 'button', content: { text: 'Talk to an agent', payload: 'TALK' }, replyTo: { id: sent.data.id, type: 'template' } });
    });

    it('when the customer changes their number, then the notice is stored in words and the conversation follows them to the new number', async () => {
      t = await startTestApp(kind);
      const { auth, fakeNumber, conversation } = await chatReady(t);
      const before = (await conversations(t, auth))[0]!.windowClosesAt;
      t.clock.advance(60_000);
      await postSigned(t, systemChangedNumber(number(fakeNumber), WA, '5511987654321', wamid(), ts(), 'Maria Silva'));
      const [notice] = await widgetMessages(t, auth, conversation.id);
      expect(notice).toMatchObject({
        type: 'system',
        content: { type: 'user_changed_number', wa_id: '5511987654321', body: `User Maria Silva changed from ${WA} to 5511987654321` },
      });
      const after = await conversations(t, auth);
      // One conversation, now with the new number; a notice is not the customer writing: the window did not move.
      expect(after.map((c) => [c.id, c.waId, c.windowClosesAt])).toEqual([[conversation.id, '5511987654321', before]]);
      await postSigned(t, customerSays(fakeNumber, metaMessages.text('New phone, same me'), { waId: '5511987654321', name: 'Maria Silva' }).body);
      expect((await conversations(t, auth)).map((c) => c.id)).toEqual([conversation.id]);
      expect((await widgetMessages(t, auth, conversation.id))[0]!.content.body).toBe('New phone, same me');
      await t.settle();
      await t.timeline.drain();
      expect(t.fake.notes.map((n) => n.params.text)).toContain(`User Maria Silva changed from ${WA} to 5511987654321`);
    });

    it('when the customer replies quoting our message, and the agent replies quoting theirs, then each shows the quoted message', async () => {
      t = await startTestApp(kind);
      const { auth, fakeNumber, conversation } = await chatReady(t);
      const ours = (await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Blue or red?' }, { headers: auth })).data;
      const [row] = await t.db.query<{ wamid: string }>('select wamid from messages where id = $1', [ours.id]);
      await postSigned(t, customerSays(fakeNumber, metaMessages.reply('Blue, please', number(fakeNumber), row!.wamid)).body);
      const [reply] = await widgetMessages(t, auth, conversation.id);
      expect(reply).toMatchObject({
        direction: 'in',
        content: { body: 'Blue, please' },
        replyTo: { id: ours.id, direction: 'out', type: 'text', content: { body: 'Blue or red?' } },
      });
      const answer = (
        await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Blue it is', replyTo: reply!.id }, { headers: auth })
      ).data;
      expect(answer.replyTo).toMatchObject({ id: reply!.id, direction: 'in', content: { body: 'Blue, please' } });
      expect((await widgetMessages(t, auth, conversation.id))[0]).toMatchObject({ id: answer.id, replyTo: { id: reply!.id } });
    });

    it('when the customer sends a list choice, a reaction, a place, a contact, a sticker, an unsupported message, or writes without a phone, then each is stored and shown', async () => {
      t = await startTestApp(kind);
      const { auth, fakeNumber, conversation } = await chatReady(t);
      const n = number(fakeNumber);
      const ours = (await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Pick a size' }, { headers: auth })).data;
      const [row] = await t.db.query<{ wamid: string }>('select wamid from messages where id = $1', [ours.id]);
      for (const message of [
        metaMessages.buttonReply(n, row!.wamid, 'size-m', 'Medium'),
        metaMessages.listReply(n, row!.wamid, 'size-l', 'Large', 'Fits 180–190 cm'),
        metaMessages.reaction(row!.wamid, '👍'),
        metaMessages.location(-23.5613, -46.6565, 'Avenida Paulista', 'Av. Paulista, 1578, São Paulo'),
        metaMessages.contacts('João Souza', '+55 11 98888-7777'),
        metaMessages.sticker('1234567890'),
        metaMessages.unsupported('poll_creation'),
      ]) {
        await postSigned(t, customerSays(fakeNumber, message).body);
      }
      const shown = await widgetMessages(t, auth, conversation.id);
      expect(shown.map((m) => m.type).slice(0, 7)).toEqual(['unsupported', 'sticker', 'contacts', 'location', 'interactive', 'interactive', 'text']);
      const [unsupported, sticker, contacts, location, list, button, reacted] = shown;
      // The reaction shows on the message it reacts to, not as a message of its own.
      expect(reacted).toMatchObject({ id: ours.id, reaction: '👍' });
      expect(button!.content).toMatchObject({ type: 'button_reply', button_reply: { title: 'Medium' } });
      expect(list!.content).toMatchObject({ type: 'list_reply', list_reply: { title: 'Large', description: 'Fits 180–190 cm' } });
      expect(location!.content).toMatchObject({ latitude: -23.5613, longitude: -46.6565, name: 'Avenida Paulista' });
      expect(contacts!.content).toMatchObject({ contacts: [{ name: { formatted_name: 'João Souza' }, phones: [{ phone: '+55 11 98888-7777' }] }] });
      expect(sticker!.content).toMatchObject({ id: '1234567890', mime_type: 'image/webp' });
      expect(unsupported!.content).toMatchObject({
        type: 'poll_creation',
        errors: [{ code: 131051, error_data: { details: 'Message type is currently not supported.' } }],
      });

      // A customer who hides their phone behind a username: only Meta's user id names them.
      await postSigned(
        t,
        customerSays(fakeNumber, metaMessages.text('Hi, it is @marta'), { userId: 'BR.1502576394655843', username: '@marta', name: 'Marta' }).body,
      );
      await postSigned(t, customerSays(fakeNumber, metaMessages.text('Still me'), { userId: 'BR.1502576394655843', username: '@marta', name: 'Marta' }).body);
      const marta = (await conversations(t, auth)).find((c) => c.username === '@marta');
      expect(marta).toMatchObject({ waId: 'BR.1502576394655843', customerName: 'Marta' });
      expect((await widgetMessages(t, auth, marta!.id)).map((m) => m.content.body)).toEqual(['Still me', 'Hi, it is @marta']);
    });

    it('when every fixture copied from Meta’s examples is posted signed to the intake, then each is valid for our schema and its outcome shows in the widget API', async () => {
      t = await startTestApp(kind);
      const { auth, fakeNumber, conversation } = await chatReady(t);
      const n = number(fakeNumber);
      const ours = (await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Your order shipped' }, { headers: auth }))
        .data;
      const [row] = await t.db.query<{ wamid: string }>('select wamid from messages where id = $1', [ours.id]);
      const cases: { name: string; body: unknown; shows: (messages: Message[]) => unknown }[] = [
        ...Object.entries({
          text: metaMessages.text('Thanks!'),
          reply: metaMessages.reply('When will it arrive?', n, row!.wamid),
          image: metaMessages.image('2000000000001', 'The box'),
          button: metaMessages.button(n, row!.wamid, 'Track order'),
          buttonReply: metaMessages.buttonReply(n, row!.wamid, 'yes', 'Yes'),
          listReply: metaMessages.listReply(n, row!.wamid, 'opt-1', 'Morning', '8–12 h'),
          location: metaMessages.location(38.7223, -9.1393, 'Lisbon'),
          contacts: metaMessages.contacts('Ana Lima', '+351 912 345 678'),
          sticker: metaMessages.sticker('2000000000002'),
          unsupported: metaMessages.unsupported(),
        }).map(([name, message]) => {
          const said = customerSays(fakeNumber, message);
          return {
            name,
            body: said.body,
            shows: (messages: Message[]) =>
              messages.find((m) => m.type === message.type && m.direction === 'in' && JSON.stringify(m.content) !== '{}' && messages.indexOf(m) === 0),
          };
        }),
        {
          name: 'reaction',
          body: customerSays(fakeNumber, metaMessages.reaction(row!.wamid, '❤️')).body,
          shows: (messages) => messages.find((m) => m.id === ours.id && m.reaction === '❤️'),
        },
        {
          name: 'status delivered',
          body: statusUpdate(n, { wamid: row!.wamid, status: 'read', timestamp: ts(), recipient: WA }),
          shows: (messages) => messages.find((m) => m.id === ours.id),
        },
        { name: 'user_preferences stop', body: userPreferences(n, WA, 'stop', Number(ts())), shows: () => true },
        { name: 'system', body: systemChangedNumber(n, WA, '5511900000999', wamid(), ts()), shows: (messages) => messages[0]?.type === 'system' },
      ];
      for (const c of cases) {
        expect(MetaWebhookBody.safeParse(c.body).success, c.name).toBe(true);
        await postSigned(t, c.body);
        expect(c.shows(await widgetMessages(t, auth, conversation.id)), c.name).toBeTruthy();
      }
      expect((await conversations(t, auth))[0]).toMatchObject({ id: conversation.id, waId: '5511900000999' });
      expect(await t.db.query('select id from whatsapp_inbox where error is not null')).toHaveLength(0);
    });
  });
}
