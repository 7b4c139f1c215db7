import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { API, server } from '../../test/api-mock';
import { createApiClient } from '../api/api-client';
import { createChatModel } from './chat-model';
import { createLiveModel } from './live-model';

/** The backend's `/api/v1/events`: each connection is a stream the test writes to or cuts. */
function eventsEndpoint() {
  const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
  let open = 0;
  server.use(
    http.get(`${API}/api/v1/events`, ({ request }) => {
      const stream = new ReadableStream<Uint8Array>({
        start: (controller) => {
          streams.push(controller);
          open++;
          request.signal.addEventListener('abort', () => open--);
        },
      });
      return new HttpResponse(stream, { headers: { 'Content-Type': 'text/event-stream' } });
    }),
  );
  const latest = () => streams.at(-1)!;
  return {
    connections: () => streams.length,
    open: () => open,
    send: (type: string, data: object) => latest().enqueue(new TextEncoder().encode(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`)),
    drop: () => {
      open--;
      latest().close();
    },
  };
}

/** One conversation behind the card's chat: the card answer, the conversation and its messages (`stored`, changed by the test), with the messages read counted. */
function oneConversation() {
  const conversation = { id: 'conv-1', numberId: 'num-1', waId: '5511912345678', customerName: 'Maria', windowClosesAt: null, optedOut: false, unread: 0 };
  const state = {
    stored: [message('m1')],
    reads: 0,
  };
  server.use(
    http.post(`${API}/api/v1/card-chat`, () =>
      HttpResponse.json({
        numbers: [{ id: 'num-1' }],
        conversations: [{ phone: '+5511912345678', conversation }],
        refused: [],
        page: { messages: [...state.stored].reverse(), nextBefore: null },
      }),
    ),
    http.get(`${API}/api/v1/conversations/conv-1`, () => HttpResponse.json(conversation)),
    http.get(
      `${API}/api/v1/conversations/conv-1/messages`,
      () => (state.reads++, HttpResponse.json({ messages: [...state.stored].reverse(), nextBefore: null })),
    ),
  );
  return state;
}

const message = (id: string) => ({
  id,
  direction: 'in',
  type: 'text',
  content: { body: id },
  status: 'received',
  error: null,
  sentBy: null,
  sentByName: null,
  createdAt: '2026-11-21T10:00:00.000Z',
});

describe('the live stream', () => {
  const api = createApiClient({ baseURL: API, getToken: () => 'tok' });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  beforeEach(() => server.resetHandlers());
  afterEach(() => server.resetHandlers());

  it('when the chat and the broadcasts both listen, then one stream is opened, each hears that it opened and every event', async () => {
    const backend = eventsEndpoint();
    const live = createLiveModel({ api, retryMs: 10 });
    const chat: string[] = [];
    const broadcasts: string[] = [];
    const stopChat = live.subscribe((type, data) => chat.push(`${type} ${data.conversationId}`));
    const stopBroadcasts = live.subscribe((type, data) => broadcasts.push(`${type} ${data.conversationId}`));
    await vi.waitFor(() => expect(backend.connections()).toBe(1));
    backend.send('message.new', { conversationId: 'c1', messageId: 'm1' });
    await vi.waitFor(() => expect(broadcasts).toEqual(['opened undefined', 'message.new c1']));
    expect(chat).toEqual(['opened undefined', 'message.new c1']);
    expect(backend.connections()).toBe(1);
    stopChat();
    stopBroadcasts();
  });

  it('when the stream drops, then it reconnects, both subscribers hear that it opened again, and both get later events', async () => {
    const backend = eventsEndpoint();
    const live = createLiveModel({ api, retryMs: 10 });
    const chat: string[] = [];
    const broadcasts: string[] = [];
    const stops = [live.subscribe((type) => chat.push(type)), live.subscribe((type) => broadcasts.push(type))];
    await vi.waitFor(() => expect(backend.connections()).toBe(1));
    backend.drop();
    await vi.waitFor(() => expect(backend.connections()).toBe(2));
    backend.send('message.status', { conversationId: 'c1', messageId: 'm1' });
    await vi.waitFor(() => expect(chat).toEqual(['opened', 'opened', 'message.status']));
    expect(broadcasts).toEqual(['opened', 'opened', 'message.status']);
    stops.forEach((stop) => stop());
  });

  it('when the backend refuses the stream, then it is asked again until it answers', async () => {
    let refusals = 2;
    const backend = eventsEndpoint();
    server.use(
      http.get(`${API}/api/v1/events`, () => (refusals-- > 0 ? HttpResponse.json({ error: { code: 'internal', message: 'x' } }, { status: 503 }) : undefined)),
    );
    const live = createLiveModel({ api, retryMs: 10 });
    const heard: string[] = [];
    const stop = live.subscribe((type) => heard.push(type));
    await vi.waitFor(() => expect(backend.connections()).toBe(1));
    backend.send('broadcast.updated', { broadcastId: 'b1' });
    await vi.waitFor(() => expect(heard).toEqual(['opened', 'broadcast.updated']));
    stop();
  });

  it('when the last subscriber stops, then the stream is closed and not opened again', async () => {
    const backend = eventsEndpoint();
    const live = createLiveModel({ api, retryMs: 10 });
    const heard: string[] = [];
    const stopChat = live.subscribe((type) => heard.push(`chat ${type}`));
    const stopBroadcasts = live.subscribe((type) => heard.push(`broadcasts ${type}`));
    await vi.waitFor(() => expect(backend.open()).toBe(1));
    await vi.waitFor(() => expect(heard).toEqual(['chat opened', 'broadcasts opened']));
    stopChat();
    backend.send('message.new', { conversationId: 'c1' });
    await vi.waitFor(() => expect(heard).toEqual(['chat opened', 'broadcasts opened', 'broadcasts message.new']));
    stopBroadcasts();
    await vi.waitFor(() => expect(backend.open()).toBe(0));
    await new Promise((r) => setTimeout(r, 50));
    expect(backend.connections()).toBe(1);
  });

  it('when the stream comes back after a drop, then the chat fetches the conversation on screen again and shows what came meanwhile', async () => {
    const backend = eventsEndpoint();
    const state = oneConversation();
    const chat = createChatModel({ api, live: createLiveModel({ api, retryMs: 10 }), describe: String });
    await chat.open([{ name: 'Maria', phones: ['+5511912345678'] }]);
    const stop = chat.live();
    await vi.waitFor(() => expect(backend.connections()).toBe(1));
    backend.drop();
    // The customer wrote while the stream was down: no event will say so.
    state.stored = [...state.stored, message('m2')];
    await vi.waitFor(() => expect(chat.messages.value.map((m) => m.id)).toEqual(['m1', 'm2']));
    expect(backend.connections()).toBe(2);
    // Once when the stream first opened, once when it came back: not twice for one opening.
    await new Promise((r) => setTimeout(r, 50));
    expect(state.reads).toBe(2);
    stop();
  });

  it('when a subscriber joins a stream already open, then it hears that it is open (what came before, it did not hear)', async () => {
    const backend = eventsEndpoint();
    const live = createLiveModel({ api, retryMs: 10 });
    const first: string[] = [];
    const stopFirst = live.subscribe((type) => first.push(type));
    await vi.waitFor(() => expect(first).toEqual(['opened']));
    const later: string[] = [];
    const stopLater = live.subscribe((type) => later.push(type));
    await vi.waitFor(() => expect(later).toEqual(['opened']));
    expect(first).toEqual(['opened']);
    expect(backend.connections()).toBe(1);
    stopFirst();
    stopLater();
  });

  it('when a customer writes after the card’s chat was read but before the live stream opened, then the chat shows it', async () => {
    const state = oneConversation();
    let openStream = () => {};
    const streamHeld = new Promise<void>((resolve) => (openStream = resolve));
    server.use(
      http.get(`${API}/api/v1/events`, async () => {
        await streamHeld;
        return new HttpResponse(new ReadableStream<Uint8Array>(), { headers: { 'Content-Type': 'text/event-stream' } });
      }),
    );
    const chat = createChatModel({ api, live: createLiveModel({ api, retryMs: 10 }), describe: String });
    await chat.open([{ name: 'Maria', phones: ['+5511912345678'] }]);
    const stop = chat.live();
    // The customer's message is stored and told to the streams open then: not yet ours.
    state.stored = [...state.stored, message('m2')];
    openStream();
    await vi.waitFor(() => expect(chat.messages.value.map((m) => m.id)).toEqual(['m1', 'm2']));
    stop();
  });
});
