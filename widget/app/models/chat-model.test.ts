import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { describeError, type Describe } from '../i18n/error-sentence';
import { translator } from '../i18n/translate';
import es from '../../../i18n/es.json';
import { createLiveModel } from './live-model';
import { createChatModel } from './chat-model';

const inSpanish: Describe = (error, labels) => describeError(error, translator(es), labels);

/**
 * The backend's card answer as the chat sees it: phones read as the one normaliser reads them in a
 * Brazilian account (one conversation per customer, bad phones refused with the reason).
 */
function backend() {
  const waIds: Record<string, string> = { '(21) 98765-4321': '5521987654321', '+55 21 98765-4321': '5521987654321', '+55 11 91234-5678': '5511912345678' };
  const conversation = (waId: string) => ({ id: `c-${waId}`, numberId: 'n1', waId, customerName: null, windowClosesAt: null, optedOut: false, unread: 0 });
  const calls: string[] = [];
  const api = {
    cardChat: async (phones: string[], limit?: number) => {
      calls.push(`cardChat of ${limit}`);
      const known = phones.filter((p) => waIds[p]).filter((p, i, all) => all.findIndex((x) => waIds[x] === waIds[p]) === i);
      const conversations = known.map((phone) => ({ phone, conversation: conversation(waIds[phone]!) }));
      return {
        numbers: [{ id: 'n1' }],
        conversations,
        refused: phones.filter((p) => !waIds[p]).map((phone) => ({ phone, error: { code: 'invalid_phone', message: 'This is not a valid phone number.' } })),
        page: conversations.length ? { messages: [{ id: 'm2' }, { id: 'm1' }], nextBefore: 'm1' } : null,
      };
    },
    messages: async () => ({ messages: [], nextBefore: null }),
    conversation: async (id: string) => conversation(id.slice(2)),
  } as unknown as ApiClient;
  return { api, calls };
}

describe('the card chat', () => {
  it('when a contact has a phone that is not one and the same phone written two ways, then the chat opens one conversation per customer and leaves the bad one out', async () => {
    const { api } = backend();
    const chat = createChatModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    await chat.open([
      { name: 'Ana', phones: ['(21) 98765-4321', 'ask reception', '+55 21 98765-4321'] },
      { name: 'Maria', phones: ['+55 11 91234-5678'] },
    ]);
    expect(chat.error.value).toBeNull();
    expect(chat.conversations.value.map((c) => [c.name, c.conversation.waId])).toEqual([
      ['Ana', '5521987654321'],
      ['Maria', '5511912345678'],
    ]);
  });

  it('when a read of one conversation answers after the agent went to another, then the screen keeps the other one’s messages', async () => {
    const { api } = backend();
    let answerAna = () => {};
    const anaHeld = new Promise<void>((resolve) => (answerAna = resolve));
    api.messages = (async (id: string) =>
      id === 'c-5521987654321'
        ? (await anaHeld, { messages: [{ id: 'ana-late' }], nextBefore: null })
        : { messages: [{ id: 'maria-1' }], nextBefore: null }) as unknown as ApiClient['messages'];
    const chat = createChatModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    await chat.open([
      { name: 'Ana', phones: ['(21) 98765-4321'] },
      { name: 'Maria', phones: ['+55 11 91234-5678'] },
    ]);
    expect(chat.activeId.value).toBe('c-5521987654321');
    const anaRead = chat.select('c-5521987654321');
    await chat.select('c-5511912345678');
    answerAna();
    await anaRead;
    expect(chat.activeId.value).toBe('c-5511912345678');
    expect(chat.messages.value.map((m) => m.id)).toEqual(['maria-1']);
  });

  it('when the card opens, then the numbers, the conversations and a first page of 200 come in one call, oldest first on screen', async () => {
    const { api, calls } = backend();
    const chat = createChatModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    await chat.open([{ name: 'Maria', phones: ['+55 11 91234-5678'] }]);
    expect(calls).toEqual(['cardChat of 200']);
    expect(chat.activeId.value).toBe('c-5511912345678');
    expect(chat.messages.value.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(chat.olderCursor.value).toBe('m1');
  });

  it('when the chat’s first opening failed (a session the backend no longer took) and opening again succeeds, then no error is left on screen', async () => {
    const { api } = backend();
    const cardChat = api.cardChat;
    let refuse = true;
    api.cardChat = async (...args: Parameters<typeof cardChat>) => {
      if (refuse) throw new ApiError('invalid_session', 'Your Wabridge session has expired or is not valid. Reload the widget.', 401);
      return cardChat(...args);
    };
    const chat = createChatModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    const contacts = [{ name: 'Maria', phones: ['+55 11 91234-5678'] }];
    await chat.open(contacts);
    expect(chat.error.value).not.toBeNull();
    // The loader hands over a fresh session and the card opens the chat again.
    refuse = false;
    await chat.open(contacts);
    expect(chat.activeId.value).toBe('c-5511912345678');
    expect(chat.error.value).toBeNull();
  });

  it('when a message was sent but reloading the chat fails, then the send counts as sent and no error is shown (the agent would send it again)', async () => {
    const { api } = backend();
    const sent: unknown[] = [];
    Object.assign(api, {
      send: async (_id: string, input: unknown) => void sent.push(input),
      messages: async () => Promise.reject(Object.assign(new Error('offline'), { code: 'unreachable' })),
    });
    const chat = createChatModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    await chat.open([{ name: 'Maria', phones: ['+55 11 91234-5678'] }]);
    expect(await chat.send({ type: 'text', text: 'Ships today' })).toBe('sent');
    expect(sent).toHaveLength(1);
    expect(chat.error.value).toBeNull();
    expect(chat.sending.value).toBe(false);
  });

  it('when a message was sent and the chat is still reloading, then the chat is still sending (a second Send would send it twice)', async () => {
    const { api } = backend();
    let reloaded: () => void = () => undefined;
    const reload = new Promise<void>((r) => (reloaded = r));
    Object.assign(api, {
      send: async () => undefined,
      messages: async () => {
        await reload;
        return { messages: [], nextBefore: null };
      },
    });
    const chat = createChatModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    await chat.open([{ name: 'Maria', phones: ['+55 11 91234-5678'] }]);
    const sent = chat.send({ type: 'text', text: 'Ships today' });
    await new Promise((r) => setTimeout(r, 10));
    expect(chat.sending.value).toBe(true);
    reloaded();
    expect(await sent).toBe('sent');
    expect(chat.sending.value).toBe(false);
  });

  it('when no phone of the card is valid, then the chat says why in the user’s language', async () => {
    const chat = createChatModel({ api: backend().api, live: createLiveModel({ api: backend().api }), describe: inSpanish });
    await chat.open([{ name: 'Ana', phones: ['ask reception'] }]);
    expect(chat.error.value).toBe(es.errors.invalid_phone);
    expect(chat.conversations.value).toEqual([]);
  });

  it('when the card’s contacts change while its first opening is on its way, then that opening’s late answer does not replace the new contacts’ chat', async () => {
    const { api } = backend();
    const answer = api.cardChat;
    let answerAna = () => {};
    const anaHeld = new Promise<void>((resolve) => (answerAna = resolve));
    api.cardChat = (async (phones: string[], limit?: number) => {
      if (phones.includes('(21) 98765-4321')) await anaHeld;
      return answer(phones, limit);
    }) as ApiClient['cardChat'];
    const chat = createChatModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    const first = chat.open([{ name: 'Ana', phones: ['(21) 98765-4321'] }]);
    const maria = [{ name: 'Maria', phones: ['+55 11 91234-5678'] }];
    await chat.open(maria);
    answerAna();
    await first;
    expect(chat.conversations.value.map((c) => c.name)).toEqual(['Maria']);
    expect(chat.activeId.value).toBe('c-5511912345678');
    // The new contacts' opening is still the one the chat follows (asked again, it is not made again).
    let asked = 0;
    api.cardChat = (async (phones: string[], limit?: number) => (asked++, answer(phones, limit))) as ApiClient['cardChat'];
    await chat.open(maria);
    expect(asked).toBe(0);
  });

  it('when the card goes back to its first contacts while their first opening is still on its way, then that late answer does not replace the newer one', async () => {
    const { api } = backend();
    const answer = api.cardChat;
    let answerFirst = () => {};
    const firstHeld = new Promise<void>((resolve) => (answerFirst = resolve));
    let anaCalls = 0;
    api.cardChat = (async (phones: string[], limit?: number) => {
      const card = await answer(phones, limit);
      if (!phones.includes('(21) 98765-4321')) return card;
      const call = ++anaCalls;
      if (call === 1) await firstHeld;
      return { ...card, page: { messages: [{ id: call === 1 ? 'older-answer' : 'newer-answer' }], nextBefore: null } };
    }) as ApiClient['cardChat'];
    const chat = createChatModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    const ana = [{ name: 'Ana', phones: ['(21) 98765-4321'] }];
    const first = chat.open(ana);
    await chat.open([{ name: 'Maria', phones: ['+55 11 91234-5678'] }]);
    await chat.open(ana);
    answerFirst();
    await first;
    expect(chat.messages.value.map((m) => m.id)).toEqual(['newer-answer']);
  });

  it('when the chat on screen is read again while its read receipt is still on its way, then the receipt is asked for once', async () => {
    const { api } = backend();
    const unread = { id: 'c-5511912345678', numberId: 'n1', waId: '5511912345678', customerName: null, windowClosesAt: null, optedOut: false, unread: 2 };
    const answer = api.cardChat;
    api.cardChat = (async (phones: string[], limit?: number) => {
      const card = await answer(phones, limit);
      return { ...card, conversations: card.conversations.map((c) => ({ ...c, conversation: unread })) };
    }) as ApiClient['cardChat'];
    api.conversation = (async () => unread) as unknown as ApiClient['conversation'];
    let receipts = 0;
    let answerReceipt = () => {};
    api.markRead = (async () => {
      receipts++;
      await new Promise<void>((resolve) => (answerReceipt = resolve));
    }) as unknown as ApiClient['markRead'];
    const chat = createChatModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    await chat.open([{ name: 'Maria', phones: ['+55 11 91234-5678'] }]);
    // Read again (as when the live stream opens) before the first receipt answered: still unread.
    await chat.select('c-5511912345678');
    expect(receipts).toBe(1);
    answerReceipt();
  });
});
