import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { API, context, received, server, session } from '../../test/api-mock';
import { createApiClient } from '../api/api-client';
import { createFakeHost } from '../host/fake-host';
import { mount } from '../mount';

const conversation = {
  id: 'conv-1',
  numberId: 'num-1',
  waId: '5511912345678',
  customerName: 'Maria Silva',
  windowClosesAt: '2099-01-01T00:00:00.000Z' as string | null,
  optedOut: false,
  unread: 0,
};
const number = {
  id: 'num-1',
  phoneNumberId: '1',
  wabaId: '2',
  displayPhoneNumber: '+1 555 0100',
  verifiedName: 'Demo',
  connectedAt: '2026-11-21T10:00:00.000Z',
};
/** The backend's one answer when a card opens: its number, the conversation with the card's phone, and its newest page. */
const card = (c: typeof conversation, page: { messages: unknown[]; nextBefore: string | null }) => ({
  numbers: [number],
  conversations: [{ phone: '+55 11 91234-5678', conversation: c }],
  refused: [],
  page,
});
const inbound = {
  id: 'm1',
  direction: 'in',
  type: 'text',
  content: { body: 'Is my order ready?' },
  status: 'received',
  error: null,
  sentBy: null,
  sentByName: null,
  createdAt: '2026-11-21T10:00:00.000Z',
};

describe('the chat in a card', () => {
  let root: HTMLElement;
  let unmount: () => void;
  let messages: unknown[];
  let push: ((chunk: string) => void) | undefined;
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  beforeEach(() => {
    received.length = 0;
    messages = [inbound];
    root = document.createElement('div');
    document.body.appendChild(root);
    server.use(
      http.post(`${API}/api/v1/card-chat`, () => HttpResponse.json(card(conversation, { messages: [...messages].reverse(), nextBefore: null }))),
      http.get(`${API}/api/v1/conversations/conv-1`, () => HttpResponse.json(conversation)),
      http.get(`${API}/api/v1/numbers/num-1/templates`, () =>
        HttpResponse.json({
          templates: [{ name: 'order_update', language: 'en_US', category: 'UTILITY', body: 'Hello {{1}}, your order {{2}} is on its way.', paramCount: 2 }],
        }),
      ),
      http.get(`${API}/api/v1/conversations/conv-1/messages`, () => HttpResponse.json({ messages: [...messages].reverse(), nextBefore: null })),
      http.post(`${API}/api/v1/conversations/conv-1/messages`, async ({ request }) => {
        const body = (await request.json()) as { text: string };
        received.push({ method: 'POST', path: '/messages', authorization: request.headers.get('authorization'), body });
        const sent = {
          id: 'm2',
          direction: 'out',
          type: 'text',
          content: { body: body.text },
          status: 'queued',
          error: null,
          sentBy: 8100001,
          sentByName: 'Dana Admin',
          createdAt: '2026-11-21T10:01:00.000Z',
        };
        messages.push(sent);
        return HttpResponse.json(sent, { status: 201 });
      }),
      http.get(`${API}/api/v1/events`, () => {
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            push = (chunk) => controller.enqueue(new TextEncoder().encode(chunk));
          },
        });
        return new HttpResponse(stream, { headers: { 'Content-Type': 'text/event-stream' } });
      }),
    );
  });
  afterEach(() => {
    unmount?.();
    root.remove();
    server.resetHandlers();
    push = undefined;
  });

  it('when the card opens, then the customer’s messages show; an agent’s text is sent and a live status moves its tick', async () => {
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session('tok'), context: context('card') });
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="message"]')).toHaveLength(1));
    expect(root.querySelector('[data-testid="chat-with"]')?.textContent).toBe('Maria Silva · +55 11 91234-5678');
    expect(root.querySelector('[data-testid="window"]')?.textContent).toContain('Customer-service window open');

    const box = root.querySelector<HTMLTextAreaElement>('[data-testid="composer"] textarea')!;
    box.value = 'Yes, it ships today';
    box.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => setTimeout(r, 0));
    root.querySelector<HTMLFormElement>('[data-testid="composer"]')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="message"]')).toHaveLength(2));
    expect(received.find((r) => r.path === '/messages')).toMatchObject({ authorization: 'Bearer tok', body: { type: 'text', text: 'Yes, it ships today' } });

    (messages[1] as { status: string }).status = 'read';
    await vi.waitFor(() => expect(push).toBeDefined());
    push!('event: message.status\ndata: {"conversationId":"conv-1","messageId":"m2"}\n\n');
    await vi.waitFor(() => expect(root.querySelector('[data-direction="out"]')?.getAttribute('data-status')).toBe('read'));
  });

  it('when the card’s chat came with the sign-in, then the card shows it and asks the backend for no chat of its own', async () => {
    let asked = 0;
    server.use(
      http.post(`${API}/api/v1/card-chat`, () => {
        asked++;
        return HttpResponse.json(card(conversation, { messages: [], nextBefore: null }));
      }),
    );
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    // The conversation as the backend has it (the re-read when the live stream opens gets the same).
    messages = [{ ...inbound, content: { body: 'Brought with the sign-in' } }];
    const brought = card(conversation, { messages: [...messages], nextBefore: null });
    fake.push({ type: 'wabridge:context', session: session('tok'), context: context('card'), cardChat: brought as never });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="message"]')?.textContent).toContain('Brought with the sign-in'));
    expect(root.querySelector('[data-testid="chat-with"]')?.textContent).toBe('Maria Silva · +55 11 91234-5678');
    // The live stream opening reads the conversation again (its page), never the card call.
    await vi.waitFor(() => expect(push).toBeDefined());
    expect(asked).toBe(0);
  });

  it('when the card’s chat came with the sign-in and no number is connected yet, then the card says so', async () => {
    const none = { numbers: [], conversations: [], refused: [], page: null };
    server.use(http.post(`${API}/api/v1/card-chat`, () => HttpResponse.json(none)));
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session('tok'), context: context('card'), cardChat: none });
    await vi.waitFor(() => expect(root.textContent).toMatch(/No WhatsApp number is connected yet|Connect a WhatsApp number/));
  });

  it('when the agent went back to older messages, then a live event keeps them on screen', async () => {
    const at = (i: number) => new Date(Date.UTC(2026, 10, 21, 9, 0, i)).toISOString();
    const history = Array.from({ length: 60 }, (_, i) => ({ ...inbound, id: `h${i}`, content: { body: `Message ${i}` }, createdAt: at(i) }));
    const pageOf = (before: string | null, limit: number) => {
      const newestFirst = [...history].reverse();
      const from = before ? newestFirst.findIndex((m) => m.id === before) + 1 : 0;
      const page = newestFirst.slice(from, from + limit);
      return { messages: page, nextBefore: from + limit < newestFirst.length ? page.at(-1)!.id : null };
    };
    server.use(
      http.post(`${API}/api/v1/card-chat`, () => HttpResponse.json(card(conversation, pageOf(null, 50)))),
      http.get(`${API}/api/v1/conversations/conv-1/messages`, ({ request }) => {
        const query = new URL(request.url).searchParams;
        return HttpResponse.json(pageOf(query.get('before'), Number(query.get('limit') ?? 50)));
      }),
    );
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session('tok'), context: context('card') });
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="message"]')).toHaveLength(50));
    root.querySelector<HTMLButtonElement>('[data-testid="older"]')!.click();
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="message"]')).toHaveLength(60));

    history.push({ ...inbound, id: 'h60', content: { body: 'Message 60' }, createdAt: at(60) });
    await vi.waitFor(() => expect(push).toBeDefined());
    push!('event: message.created\ndata: {"conversationId":"conv-1","messageId":"h60"}\n\n');
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="message"]')).toHaveLength(61));
    const shown = [...root.querySelectorAll('[data-testid="message"]')].map((m) => m.textContent);
    expect(shown[0]).toContain('Message 0');
    expect(shown.at(-1)).toContain('Message 60');
    expect(root.querySelector('[data-testid="older"]')).toBeNull();
  });

  /** A list that scrolls as a browser's would: each message 40 px tall in a 200 px window. */
  function withGeometry() {
    const proto = window.HTMLOListElement.prototype;
    Object.defineProperty(proto, 'scrollHeight', {
      configurable: true,
      get(this: HTMLOListElement) {
        return this.children.length * 40;
      },
    });
    Object.defineProperty(proto, 'clientHeight', { configurable: true, get: () => 200 });
    return () => {
      delete (proto as unknown as Record<string, unknown>).scrollHeight;
      delete (proto as unknown as Record<string, unknown>).clientHeight;
    };
  }
  const list = () => root.querySelector<HTMLOListElement>('[data-testid="messages"]')!;
  const showsNewest = () => list().scrollTop + list().clientHeight >= list().scrollHeight;
  const history = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      ...inbound,
      id: `h${i}`,
      content: { body: `Message ${i}` },
      createdAt: new Date(Date.UTC(2026, 10, 21, 9, 0, i)).toISOString(),
    }));

  it('when the card opens, a customer writes and the agent sends, then the newest message is scrolled into view each time', async () => {
    const restore = withGeometry();
    try {
      messages = history(20);
      const fake = createFakeHost();
      unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
      fake.push({ type: 'wabridge:context', session: session('tok'), context: context('card') });
      await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="message"]')).toHaveLength(20));
      expect(list().scrollHeight).toBe(800);
      expect(showsNewest()).toBe(true);

      messages.push({ ...inbound, id: 'h20', content: { body: 'Hello?' }, createdAt: '2026-11-21T10:05:00.000Z' });
      await vi.waitFor(() => expect(push).toBeDefined());
      push!('event: message.created\ndata: {"conversationId":"conv-1","messageId":"h20"}\n\n');
      await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="message"]')).toHaveLength(21));
      expect(showsNewest()).toBe(true);
      expect(root.querySelector('[data-testid="new-messages"]')).toBeNull();

      const box = root.querySelector<HTMLTextAreaElement>('[data-testid="composer"] textarea')!;
      box.value = 'Here I am';
      box.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => setTimeout(r, 0));
      root.querySelector<HTMLFormElement>('[data-testid="composer"]')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
      await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="message"]')).toHaveLength(22));
      expect(showsNewest()).toBe(true);
    } finally {
      restore();
    }
  });

  it('when the agent scrolled up to read, then a customer’s message does not move the view and "New messages ↓" brings it into view; an own send scrolls down too', async () => {
    const restore = withGeometry();
    try {
      messages = history(20);
      const fake = createFakeHost();
      unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
      fake.push({ type: 'wabridge:context', session: session('tok'), context: context('card') });
      await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="message"]')).toHaveLength(20));
      list().scrollTop = 120;
      list().dispatchEvent(new Event('scroll'));

      messages.push({ ...inbound, id: 'h20', content: { body: 'Hello?' }, createdAt: '2026-11-21T10:05:00.000Z' });
      await vi.waitFor(() => expect(push).toBeDefined());
      push!('event: message.created\ndata: {"conversationId":"conv-1","messageId":"h20"}\n\n');
      await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="message"]')).toHaveLength(21));
      expect(list().scrollTop).toBe(120);
      await vi.waitFor(() => expect(root.querySelector('[data-testid="new-messages"]')?.textContent).toBe('New messages ↓'));
      root.querySelector<HTMLButtonElement>('[data-testid="new-messages"]')!.click();
      await vi.waitFor(() => expect(showsNewest()).toBe(true));
      expect(root.querySelector('[data-testid="new-messages"]')).toBeNull();

      // Reading back again, then answering: what the agent sent is shown.
      list().scrollTop = 0;
      list().dispatchEvent(new Event('scroll'));
      const box = root.querySelector<HTMLTextAreaElement>('[data-testid="composer"] textarea')!;
      box.value = 'Yes?';
      box.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => setTimeout(r, 0));
      root.querySelector<HTMLFormElement>('[data-testid="composer"]')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
      await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="message"]')).toHaveLength(22));
      expect(showsNewest()).toBe(true);
    } finally {
      restore();
    }
  });

  it.each([
    ['replaces the sent text with a new one', ['And the invoice comes by email'], 'And the invoice comes by email'],
    ['types on after the sent text', ['Yes, it ships today And the invoice comes by email'], 'And the invoice comes by email'],
    // The new text only starts like the sent one: none of it is the sent text, so all of it stays.
    [
      'clears the box and writes a new text that starts like the sent one',
      ['', 'Yes, it ships today? Let me check the warehouse'],
      'Yes, it ships today? Let me check the warehouse',
    ],
    // Back to the sent text itself: it goes, as it would have untouched (else it could be sent twice).
    ['takes a letter off the sent text and types it again', ['Yes, it ships toda', 'Yes, it ships today'], ''],
    ['takes a letter off the sent text, types it again and starts a new line', ['Yes, it ships toda', 'Yes, it ships today\n'], ''],
  ])(
    'when the agent %s while the sent message is on its way, then only the sent text leaves the box once the send is answered',
    async (_how, typedOn, left) => {
      let answer: () => void = () => undefined;
      const answered = new Promise<void>((r) => (answer = r));
      server.use(
        http.post(`${API}/api/v1/conversations/conv-1/messages`, async ({ request }) => {
          const body = (await request.json()) as { text: string };
          received.push({ method: 'POST', path: '/messages', authorization: request.headers.get('authorization'), body });
          await answered;
          const sent = { ...inbound, id: 'm2', direction: 'out', content: { body: body.text }, status: 'queued', sentBy: 8100001, sentByName: 'Dana Admin' };
          messages.push(sent);
          return HttpResponse.json(sent, { status: 201 });
        }),
      );
      const fake = createFakeHost();
      unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
      fake.push({ type: 'wabridge:context', session: session('tok'), context: context('card') });
      await vi.waitFor(() => expect(root.querySelector('[data-testid="composer"] textarea')).not.toBeNull());
      const box = root.querySelector<HTMLTextAreaElement>('[data-testid="composer"] textarea')!;
      const type = async (text: string) => {
        box.value = text;
        box.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise((r) => setTimeout(r, 0));
      };
      await type('Yes, it ships today');
      root.querySelector<HTMLFormElement>('[data-testid="composer"]')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
      await vi.waitFor(() => expect(received.filter((r) => r.path === '/messages')).toHaveLength(1));
      for (const text of typedOn) await type(text);
      answer();
      await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="message"]')).toHaveLength(2));
      await new Promise((r) => setTimeout(r, 20));
      expect(root.querySelector<HTMLTextAreaElement>('[data-testid="composer"] textarea')!.value).toBe(left);
    },
  );

  it('when the agent presses Enter, then the text is sent; Shift+Enter only starts a new line', async () => {
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session('tok'), context: context('card') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="composer"] textarea')).not.toBeNull());
    const box = root.querySelector<HTMLTextAreaElement>('[data-testid="composer"] textarea')!;
    box.value = 'First line';
    box.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => setTimeout(r, 0));
    const shifted = new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true, cancelable: true });
    box.dispatchEvent(shifted);
    expect(shifted.defaultPrevented).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(received.filter((r) => r.path === '/messages')).toHaveLength(0);

    const enter = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
    box.dispatchEvent(enter);
    expect(enter.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(received.filter((r) => r.path === '/messages')).toHaveLength(1));
    expect(received.find((r) => r.path === '/messages')).toMatchObject({ body: { type: 'text', text: 'First line' } });
  });

  it('when the agent presses Enter again while a file is uploading, then the file goes once', async () => {
    let uploads = 0;
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((r) => (answer = r));
    server.use(
      http.post(`${API}/api/v1/conversations/conv-1/media`, async () => {
        uploads++;
        await answered;
        const sent = {
          ...inbound,
          id: 'm9',
          direction: 'out',
          type: 'document',
          content: { filename: 'invoice.pdf', mimeType: 'application/pdf', size: 2048 },
          status: 'queued',
        };
        messages.push(sent);
        return HttpResponse.json(sent, { status: 201 });
      }),
    );
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session('tok'), context: context('card') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="attach"]')).not.toBeNull());
    const input = root.querySelector<HTMLInputElement>('[data-testid="attach"]')!;
    Object.defineProperty(input, 'files', { configurable: true, value: [new File([new Uint8Array(2048)], 'invoice.pdf', { type: 'application/pdf' })] });
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() => expect(root.querySelector('[data-testid="file-preview"]')).not.toBeNull());
    const box = root.querySelector<HTMLTextAreaElement>('[data-testid="composer"] textarea')!;
    const enter = () => box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    enter();
    await vi.waitFor(() => expect(uploads).toBe(1));
    enter();
    await new Promise((r) => setTimeout(r, 50));
    answer();
    await vi.waitFor(() => expect(root.querySelector('[data-testid="file-preview"]')).toBeNull());
    expect(uploads).toBe(1);
  });

  it('when the agent picks a file, then it is previewed (a photo as a thumbnail, a document by name and size) and goes only on Send; Cancel drops it', async () => {
    const uploads: { kind: string | null; caption: string | null; type: string | null }[] = [];
    server.use(
      http.post(`${API}/api/v1/conversations/conv-1/media`, ({ request }) => {
        const q = new URL(request.url).searchParams;
        uploads.push({ kind: q.get('kind'), caption: q.get('caption'), type: request.headers.get('content-type') });
        const sent = {
          id: 'm9',
          direction: 'out',
          type: 'document',
          content: { filename: 'invoice.pdf', mimeType: 'application/pdf', size: 2048 },
          status: 'queued',
          error: null,
          sentBy: 8100001,
          sentByName: 'Dana Admin',
          createdAt: '2026-11-21T10:01:00.000Z',
        };
        messages.push(sent);
        return HttpResponse.json(sent, { status: 201 });
      }),
    );
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session('tok'), context: context('card') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="attach"]')).not.toBeNull());
    // The attach button is a drawn icon, not an emoji a machine without an emoji font shows as a box.
    expect(root.querySelector('.wb-attach svg')).not.toBeNull();
    expect(root.querySelector('.wb-attach')?.textContent).toBe('');

    const pickFile = (file: File) => {
      const input = root.querySelector<HTMLInputElement>('[data-testid="attach"]')!;
      Object.defineProperty(input, 'files', { configurable: true, value: [file] });
      input.dispatchEvent(new Event('change', { bubbles: true }));
    };
    pickFile(new File([new Uint8Array(10)], 'photo.png', { type: 'image/png' }));
    await vi.waitFor(() => expect(root.querySelector('[data-testid="file-preview"]')).not.toBeNull());
    expect(root.querySelector('[data-testid="file-thumb"]')).not.toBeNull();
    root.querySelector<HTMLButtonElement>('[data-testid="file-cancel"]')!.click();
    await vi.waitFor(() => expect(root.querySelector('[data-testid="file-preview"]')).toBeNull());
    expect(uploads).toHaveLength(0);

    pickFile(new File([new Uint8Array(2048)], 'invoice.pdf', { type: 'application/pdf' }));
    await vi.waitFor(() => expect(root.querySelector('[data-testid="file-name"]')?.textContent).toBe('invoice.pdf · 2 kB'));
    expect(root.querySelector('[data-testid="file-thumb"]')).toBeNull();
    expect(uploads).toHaveLength(0);
    const send = root.querySelector<HTMLButtonElement>('[data-testid="composer"] button[type="submit"]')!;
    expect(send.disabled).toBe(false);
    root.querySelector<HTMLFormElement>('[data-testid="composer"]')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await vi.waitFor(() => expect(uploads).toEqual([{ kind: 'document', caption: null, type: 'application/pdf' }]));
    await vi.waitFor(() => expect(root.querySelector('[data-testid="file-preview"]')).toBeNull());
  });

  it('when the window is closed, then the composer offers templates only', async () => {
    server.use(
      http.post(`${API}/api/v1/card-chat`, () => HttpResponse.json(card({ ...conversation, windowClosesAt: null }, { messages: [inbound], nextBefore: null }))),
      http.get(`${API}/api/v1/conversations/conv-1`, () => HttpResponse.json({ ...conversation, windowClosesAt: null })),
    );
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session(), context: context('card') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="template-preview"]')).not.toBeNull());
    expect(root.querySelector('[data-testid="composer"]')).toBeNull();
    expect(root.querySelector('[data-testid="window"]')?.textContent).toContain('only an approved template');
    const first = root.querySelector<HTMLInputElement>('input[name="param1"]')!;
    first.value = 'Maria';
    first.dispatchEvent(new Event('input', { bubbles: true }));
    await vi.waitFor(() => expect(root.querySelector('[data-testid="template-preview"]')?.textContent).toBe('Hello Maria, your order {{2}} is on its way.'));
    // Both parameters are needed before it can be sent.
    expect(root.querySelector<HTMLButtonElement>('[data-testid="template-composer"] button[type="submit"]')!.disabled).toBe(true);
  });
});
