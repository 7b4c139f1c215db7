import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { chatReady } from '../../test/whatsapp-helpers';
import { findMessage, messagePageJson } from './conversation-store';
import { messageView } from './message-views';

const accountOf = async (t: TestApp, conversationId: string) =>
  (await t.db.query<{ account_id: string }>('select account_id from conversations where id = $1', [conversationId]))[0]!.account_id;

for (const kind of storeKinds()) {
  describe(`a history page written by the store (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when a page is read, then each message is exactly what the view makes of its row, newest first, with the cursor to the older ones', async () => {
      t = await startTestApp(kind);
      const { conversation } = await chatReady(t);
      const accountId = await accountOf(t, conversation.id);
      // Every kind of row a page shows: a time with microseconds, an agent's failed message with its
      // name, a reply with its quoted message, a reaction to a message shown on it (left out) and
      // one to a message not here (shown), quotes and non-Latin text in the content.
      const rows: [string, string, string | null, string, string, string, number | null, string | null, number | null, string | null, string, string | null][] =
        [
          ['p1', 'in', 'wamid.P1', 'text', '{"body":"Olá \\"Maria\\" — привет"}', 'received', null, null, null, null, '2026-11-30T10:00:00.123987Z', null],
          ['p2', 'out', 'wamid.P2', 'text', '{"body":"Sorry"}', 'failed', 131047, null, DEMO_ADMIN_ID, null, '2026-11-30T10:00:01.999999Z', null],
          [
            'p3',
            'out',
            'wamid.P3',
            'image',
            '{"id":"media-1","caption":"Here"}',
            'read',
            131026,
            'Undeliverable',
            DEMO_ADMIN_ID,
            'wamid.P1',
            '2026-11-30T10:00:02Z',
            '👍',
          ],
          ['p4', 'in', 'wamid.P4', 'reaction', '{"message_id":"wamid.P3","emoji":"👍"}', 'received', null, null, null, null, '2026-11-30T10:00:03Z', null],
          ['p5', 'in', 'wamid.P5', 'reaction', '{"message_id":"wamid.GONE","emoji":"❤"}', 'received', null, null, null, null, '2026-11-30T10:00:04Z', null],
          ['p6', 'in', 'wamid.P6', 'text', '{"body":"Same instant"}', 'received', null, null, null, 'wamid.UNKNOWN', '2026-11-30T10:00:04Z', null],
        ];
      for (const [id, direction, wamid, type, content, status, code, title, sentBy, replyTo, at, reaction] of rows)
        await t.db.query(
          `insert into messages (id, account_id, conversation_id, direction, wamid, type, content, status, error_code, error_title, sent_by, reply_to, created_at, status_at, reaction)
           values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $13, $14)`,
          [id, accountId, conversation.id, direction, wamid, type, content, status, code, title, sentBy, replyTo, at, reaction],
        );
      const viewOf = async (id: string) => messageView((await findMessage(t.db, accountId, id))!);
      const all = (await t.db.query<{ id: string }>('select id from messages where conversation_id = $1 order by created_at desc, seq desc', [conversation.id]))
        .map((m) => m.id)
        .filter((id) => id !== 'p4');

      const first = JSON.parse((await messagePageJson(t.db, accountId, conversation.id, null, 3))!);
      expect(first).toEqual({ messages: await Promise.all(all.slice(0, 3).map(viewOf)), nextBefore: all[2] });
      expect(first.messages.map((m: { id: string }) => m.id)).toEqual(['p6', 'p5', 'p3']);
      expect(first.messages[0].createdAt).toBe('2026-11-30T10:00:04.000Z');
      expect(first.messages[2]).toMatchObject({ sentBy: DEMO_ADMIN_ID, error: { code: 131026, title: 'Undeliverable' }, replyTo: { id: 'p1', type: 'text' } });

      const rest = JSON.parse((await messagePageJson(t.db, accountId, conversation.id, first.nextBefore, 3))!);
      expect(rest).toEqual({ messages: await Promise.all(all.slice(3).map(viewOf)), nextBefore: null });
      expect(rest.messages.map((m: { createdAt: string }) => m.createdAt).slice(0, 2)).toEqual(['2026-11-30T10:00:01.999Z', '2026-11-30T10:00:00.123Z']);
      expect(rest.messages[0].error).toEqual({ code: 131047, title: '' });
    });

    it('when the conversation is not the account’s or has no messages, then there is no page, or an empty one', async () => {
      t = await startTestApp(kind);
      const { conversation } = await chatReady(t, { customerWrites: false });
      const accountId = await accountOf(t, conversation.id);
      expect(JSON.parse((await messagePageJson(t.db, accountId, conversation.id, null, 50))!)).toEqual({ messages: [], nextBefore: null });
      expect(await messagePageJson(t.db, 'another-account', conversation.id, null, 50)).toBeNull();
      expect(await messagePageJson(t.db, accountId, 'no-such-conversation', null, 50)).toBeNull();
    });
  });
}
