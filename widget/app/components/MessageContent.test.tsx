import { render } from 'preact';
import { describe, expect, it, vi } from 'vitest';
import en from '../../../i18n/en.json';
import es from '../../../i18n/es.json';
import pt from '../../../i18n/pt.json';
import ru from '../../../i18n/ru.json';
import { translator, type Strings } from '../i18n/translate';
import type { ChatModel } from '../models/chat-model';
import { MessageContent, RUNTIME_KEYS } from './MessageContent';

const LOCALES: Record<string, Strings> = { en, es, pt, ru };
const chat = { mediaUrl: () => Promise.reject(new Error('no media in this test')) } as unknown as ChatModel;
const base = {
  direction: 'in' as const,
  status: 'received' as const,
  error: null,
  sentBy: null,
  sentByName: null,
  createdAt: '2026-11-21T10:00:00.000Z',
  replyTo: null,
  reaction: null,
};

/** Each kind a customer sends, as the widget API gives it (content as Meta sent it), and what must show. */
const KINDS = [
  { type: 'button', content: { payload: 'TALK', text: 'Talk to an agent' }, shows: ['Talk to an agent'] },
  { type: 'interactive', content: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes, confirm' } }, shows: ['Yes, confirm'] },
  { type: 'interactive', content: { type: 'list_reply', list_reply: { id: 'l', title: 'Large', description: '180–190 cm' } }, shows: ['Large'] },
  { type: 'reaction', content: { message_id: 'wamid.x', emoji: '🎉' }, shows: ['🎉'] },
  {
    type: 'location',
    content: { latitude: -23.5613, longitude: -46.6565, name: 'Avenida Paulista', address: 'Av. Paulista, 1578' },
    shows: ['Avenida Paulista', 'Av. Paulista, 1578'],
  },
  {
    type: 'contacts',
    content: { contacts: [{ name: { formatted_name: 'João Souza' }, phones: [{ phone: '+55 11 98888-7777' }] }] },
    shows: ['João Souza', '+55 11 98888-7777'],
  },
  { type: 'sticker', content: { id: '123', mime_type: 'image/webp' }, shows: [] },
  {
    type: 'unsupported',
    content: { type: 'poll_creation', errors: [{ code: 131051, error_data: { details: 'Message type is currently not supported.' } }] },
    shows: ['Message type is currently not supported.'],
  },
  { type: 'system', content: { type: 'user_changed_number', wa_id: '5511987654321', body: 'User Maria changed from 1 to 2' }, shows: ['+5511987654321'] },
  { type: 'image', content: { id: '9', caption: 'The box' }, shows: ['The box'] },
  { type: 'some_future_kind', content: {}, shows: [] },
];

function shown(message: Parameters<typeof MessageContent>[0]['message'], strings: Strings) {
  const root = document.createElement('div');
  render(<MessageContent message={message} chat={chat} t={translator(strings)} />, root);
  return root;
}

describe('what each message shows', () => {
  it('when any key the chat builds at run time (chat.kinds.*, chat.system.*, chat.quote.*, chat.status.*) is missing in a language, then this fails', () => {
    const missing = Object.entries(LOCALES).flatMap(([language, strings]) =>
      RUNTIME_KEYS.filter((key) => translator(strings)(key) === key).map((key) => `${language}: ${key}`),
    );
    expect(missing).toEqual([]);
  });

  for (const [language, strings] of Object.entries(LOCALES)) {
    it(`when a customer sends each kind of message, then it shows in words in ${language}, never as a raw key`, () => {
      for (const kind of KINDS) {
        const root = shown({ ...base, id: `m-${kind.type}`, type: kind.type, content: kind.content }, strings);
        const text = root.textContent ?? '';
        for (const piece of kind.shows) expect(text, kind.type).toContain(piece);
        expect(text, kind.type).not.toMatch(/chat\.[a-z_]+\./);
        expect(text.trim(), kind.type).not.toBe('');
      }
      const location = shown({ ...base, id: 'loc', type: 'location', content: KINDS[4]!.content }, strings).querySelector('a[data-testid="map-link"]');
      expect(location?.getAttribute('href')).toContain('mlat=-23.5613&mlon=-46.6565');
    });

    it(`when a message is a reply or has the customer’s reaction, then the quoted message and the emoji show in ${language}`, () => {
      const root = shown(
        {
          ...base,
          id: 'r1',
          type: 'text',
          content: { body: 'Blue, please' },
          replyTo: { id: 'o1', direction: 'out', type: 'template', content: { name: 'come_back', parameters: ['Maria'] } },
          reaction: '❤️',
        },
        strings,
      );
      const quote = root.querySelector('[data-testid="message-quote"]')?.textContent ?? '';
      expect(quote).toContain(translator(strings)('chat.quote.out'));
      expect(quote).not.toContain('chat.');
      expect(quote).toContain('come_back');
      expect(quote).toContain('Maria');
      expect(root.querySelector('[data-testid="message-body"]')?.textContent).toBe('Blue, please');
      expect(root.querySelector('[data-testid="message-reaction"]')?.textContent).toBe('❤️');
    });
  }
});

describe('a voice note in the card', () => {
  it('when the customer sent a voice note, then the card plays it from the file fetched with the session', async () => {
    const urls: string[] = [];
    const withMedia = { mediaUrl: async (id: string) => (urls.push(id), `blob:voice-${id}`) } as unknown as ChatModel;
    const root = document.createElement('div');
    const message = { ...base, id: 'm-voice', type: 'audio', content: { id: '77', mime_type: 'audio/ogg; codecs=opus', voice: true } };
    render(<MessageContent message={message} chat={withMedia} t={translator(en)} />, root);
    const audio = await vi.waitFor(
      () => root.querySelector<HTMLAudioElement>('audio[data-testid="message-audio"]') ?? Promise.reject(new Error('no player yet')),
    );
    expect(audio.getAttribute('src')).toBe('blob:voice-m-voice');
    expect(audio.controls).toBe(true);
    expect(urls).toEqual(['m-voice']);
  });
});
