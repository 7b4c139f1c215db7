import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { describeError, type Describe } from '../i18n/error-sentence';
import { translator } from '../i18n/translate';
import es from '../../../i18n/es.json';
import { createChatModel } from './chat-model';

const inSpanish: Describe = (error, labels) => describeError(error, translator(es), labels);

/** The backend as the chat sees it: phones read as the one normaliser reads them in a Brazilian account. */
function backend() {
  const waIds: Record<string, string> = { '(21) 98765-4321': '5521987654321', '+55 21 98765-4321': '5521987654321', '+55 11 91234-5678': '5511912345678' };
  const conversation = (waId: string) => ({ id: `c-${waId}`, numberId: 'n1', waId, customerName: null, windowClosesAt: null, optedOut: false, unread: 0 });
  return {
    numbers: async () => ({ numbers: [{ id: 'n1' }], limit: 1 }),
    openConversation: async (_numberId: string, phone: string) => {
      const waId = waIds[phone];
      if (!waId) throw new ApiError('invalid_phone', 'This is not a valid phone number.', 400);
      return conversation(waId);
    },
    messages: async () => ({ messages: [], nextBefore: null }),
    conversation: async (id: string) => conversation(id.slice(2)),
  } as unknown as ApiClient;
}

describe('the card chat', () => {
  it('when a contact has a phone that is not one and the same phone written two ways, then the chat opens one conversation per customer and leaves the bad one out', async () => {
    const chat = createChatModel({ api: backend(), describe: inSpanish });
    await chat.open([{ name: 'Ana', phones: ['(21) 98765-4321', 'ask reception', '+55 21 98765-4321'] }, { name: 'Maria', phones: ['+55 11 91234-5678'] }]);
    expect(chat.error.value).toBeNull();
    expect(chat.conversations.value.map((c) => [c.name, c.conversation.waId])).toEqual([
      ['Ana', '5521987654321'],
      ['Maria', '5511912345678'],
    ]);
  });

  it('when no phone of the card is valid, then the chat says why in the user’s language', async () => {
    const chat = createChatModel({ api: backend(), describe: inSpanish });
    await chat.open([{ name: 'Ana', phones: ['ask reception'] }]);
    expect(chat.error.value).toBe(es.errors.invalid_phone);
    expect(chat.conversations.value).toEqual([]);
  });
});
