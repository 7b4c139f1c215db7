import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const APP_ORIGIN = 'https://wabridge.example.com';
const source = readFileSync(resolve(process.cwd(), 'widget/loader/script.js'), 'utf8').replaceAll('__WABRIDGE_ORIGIN__', APP_ORIGIN);

type Widget = Record<string, unknown> & { callbacks: Record<string, (...args: unknown[]) => unknown> };

/** Loads the real script.js through a one-line AMD `define`, as Kommo's loader would. */
function loadWidget(helpers: Record<string, unknown>): Widget {
  let factory: (() => new () => Widget) | undefined;
  new Function('define', source)((_deps: string[], f: () => new () => Widget) => {
    factory = f;
  });
  const widget = new (factory!())();
  return Object.assign(widget, helpers);
}

const session = (token: string, expiresAt: string) => ({ token, expiresAt, accountId: 'acc', userId: 7, role: 'admin' });

describe('the Kommo loader (script.js)', () => {
  let ajax: ReturnType<typeof vi.fn>;
  let widget: Widget;

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-21T10:00:00Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    document.body.innerHTML = '<div id="panel"></div>';
    (window as unknown as { APP: unknown }).APP = {
      lang_id: 'es',
      data: { current_card: { id: 1001 } },
      constant: (name: string) =>
        name === 'user' ? { id: 7, name: 'Dana Admin' } : name === 'account' ? { tariffName: 'Advanced', paid_till: 1_800_000_000 } : undefined,
    };
    ajax = vi.fn(async () => session('tok-1', '2026-11-21T10:15:00Z'));
    widget = loadWidget({
      system: () => ({ area: 'lcard', amouser_id: 7 }),
      get_settings: () => ({ widget_code: 'wabridge' }),
      render_template: (o: { render: string }) => {
        document.getElementById('panel')!.innerHTML = o.render;
      },
      $authorizedAjax: ajax,
      get_current_card_contacts_data: async () => [{ id: 2001, name: 'Maria Silva', phones: [{ value: '+55 11 91234-5678' }, '+55 11 90000-0000'] }],
    });
  });
  afterEach(() => {
    widget.callbacks.destroy!();
    vi.useRealTimers();
  });

  function renderCard() {
    expect(widget.callbacks.render!()).toBe(true);
    const iframe = document.querySelector<HTMLIFrameElement>('iframe[data-wabridge-area="card"]')!;
    // The test plays the iframe's window (the DOM here does not load cross-origin pages).
    const posted = vi.fn();
    const frameWindow = { postMessage: posted };
    Object.defineProperty(iframe, 'contentWindow', { value: frameWindow });
    const fromIframe = (data: unknown, origin = APP_ORIGIN, sourceWindow: unknown = frameWindow) =>
      window.dispatchEvent(new MessageEvent('message', { data, origin, source: sourceWindow as Window }));
    return { iframe, posted, fromIframe };
  }

  it('when a card renders, then an iframe of our origin is placed in the panel, told the Kommo page origin', () => {
    const { iframe } = renderCard();
    const src = new URL(iframe.src);
    expect(src.origin).toBe(APP_ORIGIN);
    expect(src.pathname).toBe('/widget/app.html');
    expect(src.searchParams.get('lang')).toBe('es');
    expect(new URLSearchParams(src.hash.slice(1)).get('host')).toBe(window.location.origin);
  });

  it('when Kommo shows its dark theme, then the iframe asks for the dark theme; on a light page, the light one', () => {
    document.body.style.backgroundColor = '#153043';
    expect(new URL(renderCard().iframe.src).searchParams.get('theme')).toBe('dark');
    widget.callbacks.destroy!();
    document.body.style.backgroundColor = '';
    document.getElementById('panel')!.style.backgroundColor = 'rgb(255, 255, 255)';
    expect(new URL(renderCard().iframe.src).searchParams.get('theme')).toBe('light');
  });

  it('when the iframe is ready, then a session is opened with Kommo’s token and handed over with the card context, to our origin only', async () => {
    const { posted, fromIframe } = renderCard();
    fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(posted).toHaveBeenCalled());
    expect(ajax).toHaveBeenCalledWith(expect.objectContaining({ url: `${APP_ORIGIN}/api/v1/session`, type: 'POST' }));
    // The card's sign-in names its phones (its chat comes back with the session: docs/decisions/040).
    expect(JSON.parse(ajax.mock.calls[0]![0].data)).toEqual({
      kommoPlan: { name: 'Advanced', paidTill: new Date(1_800_000_000 * 1000).toISOString() },
      card: { phones: ['+55 11 91234-5678', '+55 11 90000-0000'] },
    });
    expect(posted).toHaveBeenCalledWith(
      {
        type: 'wabridge:context',
        session: session('tok-1', '2026-11-21T10:15:00Z'),
        context: {
          area: 'card',
          entity: 'leads',
          entityId: 1001,
          contacts: [{ id: 2001, name: 'Maria Silva', phones: ['+55 11 91234-5678', '+55 11 90000-0000'] }],
          selected: [],
          user: { id: 7, name: 'Dana Admin' },
          language: 'es',
          kommoPlan: 'Advanced',
        },
      },
      APP_ORIGIN,
    );
  });

  it('when a card renders, then the session is asked for while the iframe loads, handed over at ready, and a reloaded app gets a fresh one', async () => {
    const { posted, fromIframe } = renderCard();
    await vi.advanceTimersByTimeAsync(10);
    expect(ajax).toHaveBeenCalledTimes(1);
    expect(posted).not.toHaveBeenCalled();
    fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(posted).toHaveBeenCalledTimes(1));
    expect(posted.mock.calls[0]![0]).toMatchObject({ type: 'wabridge:context', session: { token: 'tok-1' } });
    expect(ajax).toHaveBeenCalledTimes(1);

    ajax.mockResolvedValueOnce(session('tok-2', '2026-11-21T10:30:00Z'));
    fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(posted).toHaveBeenCalledTimes(2));
    expect(posted.mock.calls[1]![0]).toMatchObject({ type: 'wabridge:context', session: { token: 'tok-2' } });
  });

  it('when the card’s sign-in brings the card’s chat, then the card gets it with the context; the next card of the tab takes the held session and no chat', async () => {
    const chat = { numbers: [], conversations: [], refused: [], page: null };
    ajax.mockResolvedValueOnce({ ...session('tok-1', '2026-11-21T10:15:00Z'), cardChat: chat });
    // The first card's context carries the chat; the second's, on the held session, does not.
    for (const brought of [{ cardChat: chat }, {}]) {
      const card = renderCard();
      card.fromIframe({ type: 'wabridge:ready' });
      await vi.waitFor(() => expect(card.posted).toHaveBeenCalledTimes(1));
      expect(card.posted.mock.calls[0]![0]).toEqual({
        type: 'wabridge:context',
        session: session('tok-1', '2026-11-21T10:15:00Z'),
        context: expect.objectContaining({ area: 'card' }),
        ...brought,
      });
    }
    expect(ajax).toHaveBeenCalledTimes(1);
  });

  it('when the unread watcher’s sign-in is on its way as a card opens (Kommo gave the card’s contacts late), then the card shares it and gets no chat: the app asks for it', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ total: 0, latest: null }), { status: 200 })),
    );
    let answer!: (s: unknown) => void;
    ajax.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    widget.get_current_card_contacts_data = () =>
      new Promise((resolve) => setTimeout(() => resolve([{ id: 2001, name: 'Maria Silva', phones: ['+55 11 91234-5678'] }]), 2_000));
    const { posted, fromIframe } = renderCard();
    widget.callbacks.init!();
    fromIframe({ type: 'wabridge:ready' });
    await vi.advanceTimersByTimeAsync(1_010);
    expect(ajax).toHaveBeenCalledTimes(1);
    expect(JSON.parse(ajax.mock.calls[0]![0].data)).not.toHaveProperty('card');
    await vi.advanceTimersByTimeAsync(1_000);
    answer(session('tok-1', '2026-11-21T10:15:00Z'));
    await vi.waitFor(() => expect(posted).toHaveBeenCalledTimes(1));
    expect(posted.mock.calls[0]![0]).toEqual({ type: 'wabridge:context', session: session('tok-1', '2026-11-21T10:15:00Z'), context: expect.any(Object) });
    expect(ajax).toHaveBeenCalledTimes(1);
    vi.unstubAllGlobals();
  });

  it('when a card renders and the unread watcher starts a second after Kommo’s init, then the watcher takes the card’s session: one exchange', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ total: 0, latest: null }), { status: 200 })),
    );
    const { posted, fromIframe } = renderCard();
    widget.callbacks.init!();
    fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(posted).toHaveBeenCalledTimes(1));
    // The watcher starts a second after Kommo's init, with the card's session.
    await vi.advanceTimersByTimeAsync(1_010);
    expect(ajax).toHaveBeenCalledTimes(1);
    expect(vi.mocked(fetch)).toHaveBeenCalledWith(`${APP_ORIGIN}/api/v1/unread`, { headers: { Authorization: 'Bearer tok-1' } });
    vi.unstubAllGlobals();
  });

  it('when the Kommo user changes while a session exchange for the previous one is on its way, then the new user’s card gets a session of its own', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ total: 0, latest: null }), { status: 200 })),
    );
    let answerDana!: (s: unknown) => void;
    ajax.mockImplementationOnce(() => new Promise((resolve) => (answerDana = resolve)));
    ajax.mockImplementationOnce(async () => ({ ...session('tok-alex', '2026-11-21T10:15:00Z'), userId: 8, role: 'agent' }));
    // The unread watcher asks for Dana's session; Kommo has not answered yet.
    widget.callbacks.init!();
    await vi.advanceTimersByTimeAsync(1_010);
    expect(ajax).toHaveBeenCalledTimes(1);
    // Kommo now shows Alex (the demo switches users in place), and Alex opens a card.
    const app = (window as unknown as { APP: { constant: (name: string) => unknown } }).APP;
    const before = app.constant;
    app.constant = (name: string) => (name === 'user' ? { id: 8, name: 'Alex Agent' } : before(name));
    const { posted, fromIframe } = renderCard();
    fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(posted).toHaveBeenCalledTimes(1));
    expect(ajax).toHaveBeenCalledTimes(2);
    expect(posted.mock.calls[0]![0]).toMatchObject({ type: 'wabridge:context', session: { token: 'tok-alex' } });
    answerDana(session('tok-1', '2026-11-21T10:15:00Z'));
    vi.unstubAllGlobals();
  });

  it('when another card opens in the same Kommo tab while the session has a while to go, then it gets that session without a new exchange', async () => {
    const first = renderCard();
    first.fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(first.posted).toHaveBeenCalledTimes(1));
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    // Kommo moves to another card: the widget renders again.
    const second = renderCard();
    second.fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(second.posted).toHaveBeenCalledTimes(1));
    expect(second.posted.mock.calls[0]![0]).toMatchObject({ type: 'wabridge:context', session: { token: 'tok-1' } });
    expect(ajax).toHaveBeenCalledTimes(1);
  });

  it('when the account’s Kommo plan changed since the held session was made, then the next card reports the new plan in a new exchange', async () => {
    const first = renderCard();
    first.fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(first.posted).toHaveBeenCalledTimes(1));
    const app = (window as unknown as { APP: { constant: (name: string) => unknown } }).APP;
    const before = app.constant;
    app.constant = (name: string) => (name === 'account' ? { tariffName: 'Base' } : before(name));
    ajax.mockResolvedValueOnce(session('tok-2', '2026-11-21T10:15:00Z'));
    const second = renderCard();
    second.fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(second.posted).toHaveBeenCalledTimes(1));
    expect(ajax).toHaveBeenCalledTimes(2);
    expect(JSON.parse(String((ajax.mock.calls[1]![0] as { data: string }).data))).toMatchObject({ kommoPlan: { name: 'Base' } });
    expect(second.posted.mock.calls[0]![0]).toMatchObject({ type: 'wabridge:context', session: { token: 'tok-2' } });
  });

  it('when another card opens and the held session has under two minutes to go, then the card gets a new one', async () => {
    const first = renderCard();
    first.fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(first.posted).toHaveBeenCalledTimes(1));
    widget.callbacks.destroy!();
    await vi.advanceTimersByTimeAsync(13 * 60_000 + 30_000);
    ajax.mockResolvedValueOnce(session('tok-2', '2026-11-21T10:28:30Z'));
    const second = renderCard();
    second.fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(second.posted).toHaveBeenCalledTimes(1));
    expect(second.posted.mock.calls[0]![0]).toMatchObject({ type: 'wabridge:context', session: { token: 'tok-2' } });
    expect(ajax).toHaveBeenCalledTimes(2);
  });

  it('when the app asks for a new session (the backend no longer took it), then it gets a fresh one, and so does the next card', async () => {
    const first = renderCard();
    first.fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(first.posted).toHaveBeenCalledTimes(1));
    ajax.mockResolvedValueOnce(session('tok-2', '2026-11-21T10:15:00Z'));
    first.fromIframe({ type: 'wabridge:refresh-session' });
    await vi.waitFor(() => expect(first.posted).toHaveBeenCalledTimes(2));
    expect(first.posted.mock.calls[1]![0]).toMatchObject({ type: 'wabridge:session', session: { token: 'tok-2' } });
    const second = renderCard();
    second.fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(second.posted).toHaveBeenCalledTimes(1));
    expect(second.posted.mock.calls[0]![0]).toMatchObject({ type: 'wabridge:context', session: { token: 'tok-2' } });
    expect(ajax).toHaveBeenCalledTimes(2);
  });

  it('when the backend answers the unread watcher 401 with the held session, then the next card does not get that session', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ error: { code: 'invalid_session', message: 'expired' } }), { status: 401 })),
    );
    widget.callbacks.init!();
    await vi.advanceTimersByTimeAsync(1_010);
    expect(ajax).toHaveBeenCalledTimes(1);
    ajax.mockResolvedValueOnce(session('tok-2', '2026-11-21T10:15:00Z'));
    const card = renderCard();
    card.fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(card.posted).toHaveBeenCalledTimes(1));
    expect(card.posted.mock.calls[0]![0]).toMatchObject({ type: 'wabridge:context', session: { token: 'tok-2' } });
    vi.unstubAllGlobals();
  });

  it('when the backend refuses the unread watcher 403 (the user was disabled), then the watcher signs in afresh, is refused, and stops asking', async () => {
    const fetched = vi.fn(async () => new Response(JSON.stringify({ error: { code: 'user_disabled', message: 'Not enabled' } }), { status: 403 }));
    vi.stubGlobal('fetch', fetched);
    widget.callbacks.init!();
    await vi.advanceTimersByTimeAsync(1_010);
    expect(ajax).toHaveBeenCalledTimes(1);
    ajax.mockRejectedValueOnce({ status: 403, responseJSON: { error: { code: 'user_disabled', message: 'Not enabled' } } });
    await vi.advanceTimersByTimeAsync(5_000 + 10);
    expect(ajax).toHaveBeenCalledTimes(2);
    const asked = fetched.mock.calls.length;
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(fetched.mock.calls.length).toBe(asked);
    vi.unstubAllGlobals();
  });

  it('when a message comes from another origin or another window, then the loader ignores it', async () => {
    const { posted, fromIframe } = renderCard();
    fromIframe({ type: 'wabridge:ready' }, 'https://evil.example');
    fromIframe({ type: 'wabridge:ready' }, APP_ORIGIN, window);
    await vi.advanceTimersByTimeAsync(10);
    // The session was asked for with the iframe, once; none of it is handed to another window.
    expect(ajax).toHaveBeenCalledTimes(1);
    expect(posted).not.toHaveBeenCalled();
  });

  it('when the session nears its expiry, then the loader refreshes it and hands the new one over', async () => {
    const { posted, fromIframe } = renderCard();
    fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(posted).toHaveBeenCalledTimes(1));
    ajax.mockResolvedValueOnce(session('tok-2', '2026-11-21T10:30:00Z'));
    await vi.advanceTimersByTimeAsync(13 * 60_000);
    expect(ajax).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(60_000 + 10);
    expect(ajax).toHaveBeenCalledTimes(2);
    expect(posted).toHaveBeenLastCalledWith({ type: 'wabridge:session', session: session('tok-2', '2026-11-21T10:30:00Z') }, APP_ORIGIN);
  });

  it('when the backend refuses the session, then the iframe is told why', async () => {
    ajax.mockRejectedValueOnce({ status: 403, responseJSON: { error: { code: 'account_not_installed', message: 'Not installed' } } });
    const { posted, fromIframe } = renderCard();
    fromIframe({ type: 'wabridge:ready' });
    await vi.waitFor(() => expect(posted).toHaveBeenCalled());
    expect(posted).toHaveBeenCalledWith({ type: 'wabridge:session-error', error: { code: 'account_not_installed', message: 'Not installed' } }, APP_ORIGIN);
  });

  it('when the widget is destroyed, then its iframe is gone and it no longer listens or refreshes', async () => {
    const { fromIframe } = renderCard();
    widget.callbacks.destroy!();
    expect(document.querySelector('iframe')).toBeNull();
    fromIframe({ type: 'wabridge:ready' });
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    // Only the session asked for with the iframe: no refresh was scheduled once it was gone.
    expect(ajax).toHaveBeenCalledTimes(1);
  });

  it('when the admin saves Kommo’s settings, then the team setting is sent with Kommo’s token and saving never fails on our account', async () => {
    widget.get_settings = () => ({ widget_code: 'wabridge', team: '{"7":"","8":"no"}' });
    ajax.mockResolvedValueOnce({ users: [] });
    await expect(widget.callbacks.onSave!()).resolves.toBe(true);
    expect(ajax).toHaveBeenCalledWith(expect.objectContaining({ url: `${APP_ORIGIN}/api/v1/team/kommo-setting`, type: 'PUT' }));
    expect(JSON.parse(ajax.mock.calls[0]![0].data)).toEqual({ team: { '7': '', '8': 'no' } });

    ajax.mockRejectedValueOnce({ status: 500 });
    await expect(widget.callbacks.onSave!()).resolves.toBe(true);
    widget.get_settings = () => ({ widget_code: 'wabridge' });
    expect(widget.callbacks.onSave!()).toBe(true);
    expect(ajax).toHaveBeenCalledTimes(2);
  });

  it('when a customer writes while the agent is elsewhere in Kommo, then an alert shows who wrote and the unread count', async () => {
    vi.useRealTimers();
    let push!: (text: string) => void;
    const unread = [
      { total: 0, latest: null },
      { total: 2, latest: { conversationId: 'c1', customerName: 'Maria Silva', waId: '5511912345678' } },
    ];
    const calls: { url: string; auth: string | null }[] = [];
    const fetchMock = vi.fn(async (url: string, init: { headers: Record<string, string> }) => {
      calls.push({ url, auth: init.headers.Authorization ?? null });
      if (url.endsWith('/api/v1/unread')) return new Response(JSON.stringify(unread.length > 1 ? unread.shift() : unread[0]), { status: 200 });
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          push = (text) => controller.enqueue(new TextEncoder().encode(text));
        },
      });
      return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
    });
    vi.stubGlobal('fetch', fetchMock);
    widget.callbacks.init!();
    await vi.waitFor(() => expect(push).toBeDefined());
    expect(calls[0]).toEqual({ url: `${APP_ORIGIN}/api/v1/unread`, auth: 'Bearer tok-1' });
    expect(document.querySelector('.wabridge-alert')).toBeNull();
    push('event: message.created\ndata: {"conversationId":"c1"}\n\n');
    await vi.waitFor(() => expect(document.querySelector('.wabridge-alert')?.textContent).toBe('WhatsApp: Maria Silva · 2 unread'));
    vi.unstubAllGlobals();
  });

  it(
    'when the unread alert has been on screen for 8 seconds, then it goes by itself (it never covers the card’s Send button for long)',
    { timeout: 20_000 },
    async () => {
      vi.useRealTimers();
      let push!: (text: string) => void;
      const unread = [
        { total: 0, latest: null },
        { total: 1, latest: { conversationId: 'c1', customerName: 'Maria Silva', waId: '5511912345678' } },
      ];
      vi.stubGlobal(
        'fetch',
        vi.fn(async (url: string) => {
          if (url.endsWith('/api/v1/unread')) return new Response(JSON.stringify(unread.length > 1 ? unread.shift() : unread[0]), { status: 200 });
          const body = new ReadableStream<Uint8Array>({
            start(controller) {
              push = (text) => controller.enqueue(new TextEncoder().encode(text));
            },
          });
          return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
        }),
      );
      widget.callbacks.init!();
      await vi.waitFor(() => expect(push).toBeDefined());
      push('event: message.created\ndata: {"conversationId":"c1"}\n\n');
      await vi.waitFor(() => expect(document.querySelector('.wabridge-alert')).not.toBeNull());
      await vi.waitFor(() => expect(document.querySelector('.wabridge-alert')).toBeNull(), { timeout: 12_000, interval: 100 });
      vi.unstubAllGlobals();
    },
  );

  it('when Kommo is in Spanish or Russian, then the alert says the unread count in that language, with its plural', async () => {
    vi.useRealTimers();
    const es = JSON.parse(readFileSync(resolve(process.cwd(), 'i18n/es.json'), 'utf8'));
    const ru = JSON.parse(readFileSync(resolve(process.cwd(), 'i18n/ru.json'), 'utf8'));
    let strings = es;
    widget.i18n = (section: string) => strings[section];
    let push!: (text: string) => void;
    const unread = [
      { total: 0, latest: null },
      { total: 2, latest: { conversationId: 'c1', customerName: 'Maria Silva', waId: '5511912345678' } },
      { total: 5, latest: { conversationId: 'c1', customerName: 'Maria Silva', waId: '5511912345678' } },
    ];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (url.endsWith('/api/v1/unread')) return new Response(JSON.stringify(unread.length > 1 ? unread.shift() : unread[0]), { status: 200 });
        return new Response(new ReadableStream<Uint8Array>({ start: (c) => void (push = (text) => c.enqueue(new TextEncoder().encode(text))) }), {
          status: 200,
          headers: { 'Content-Type': 'text/event-stream' },
        });
      }),
    );
    widget.callbacks.init!();
    await vi.waitFor(() => expect(push).toBeDefined());
    push('event: message.created\ndata: {"conversationId":"c1"}\n\n');
    await vi.waitFor(() => expect(document.querySelector('.wabridge-alert')?.textContent).toBe('WhatsApp: Maria Silva · 2 sin leer'));
    (window as unknown as { APP: Record<string, unknown> }).APP.lang_id = 'ru';
    strings = ru;
    push('event: message.created\ndata: {"conversationId":"c1"}\n\n');
    await vi.waitFor(() => expect(document.querySelector('.wabridge-alert')?.textContent).toBe('WhatsApp: Maria Silva · 5 непрочитанных'));
    vi.unstubAllGlobals();
  });

  it('when a customer names themselves with HTML, then Kommo’s notification popup gets it escaped', async () => {
    vi.useRealTimers();
    const shown: { text: string }[] = [];
    Object.assign((window as unknown as { APP: Record<string, unknown> }).APP, { notifications: { show_message: (m: { text: string }) => shown.push(m) } });
    let push!: (text: string) => void;
    const unread = [
      { total: 0, latest: null },
      { total: 1, latest: { conversationId: 'c1', customerName: '<img src=x onerror="alert(1)">', waId: '5511912345678' } },
    ];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (url.endsWith('/api/v1/unread')) return new Response(JSON.stringify(unread.length > 1 ? unread.shift() : unread[0]), { status: 200 });
        return new Response(new ReadableStream<Uint8Array>({ start: (c) => void (push = (text) => c.enqueue(new TextEncoder().encode(text))) }), {
          status: 200,
          headers: { 'Content-Type': 'text/event-stream' },
        });
      }),
    );
    widget.callbacks.init!();
    await vi.waitFor(() => expect(push).toBeDefined());
    push('event: message.created\ndata: {"conversationId":"c1"}\n\n');
    await vi.waitFor(() => expect(shown).toHaveLength(1));
    expect(shown[0]!.text).toBe('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; · 1 unread');
    expect(document.querySelector('.wabridge-alert img')).toBeNull();
    vi.unstubAllGlobals();
  });
  it('when Kommo opens the digital-pipeline action form, then its one field becomes a list of the account’s automations and picking one fills in only the id', async () => {
    vi.useRealTimers();
    document.body.innerHTML = '<form><input type="text" name="automation" value=""></form>';
    const input = document.querySelector<HTMLInputElement>('input[name="automation"]')!;
    const changes: string[] = [];
    input.addEventListener('change', () => changes.push(input.value));
    const calls: { url: string; auth: string | null }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: { headers: Record<string, string> }) => {
        calls.push({ url, auth: init.headers.Authorization ?? null });
        return new Response(JSON.stringify({ automations: [{ id: 'Q3xv1c9Rk2-8mZtLw0Pa_A', name: 'Order <b>update</b>', template: 'order_update' }] }), {
          status: 200,
        });
      }),
    );
    widget.i18n = (section: string) =>
      section === 'dp' ? { automation: 'Automation', choose: 'Choose one', none: 'None yet', unavailable: 'Unavailable' } : {};
    expect(widget.callbacks.dpSettings!()).toBe(true);
    const select = document.querySelector<HTMLSelectElement>('select.wabridge-dp-automation')!;
    await vi.waitFor(() => expect(select.options).toHaveLength(2));
    expect(calls).toEqual([{ url: `${APP_ORIGIN}/api/v1/automations`, auth: 'Bearer tok-1' }]);
    expect(select.options[1]!.textContent).toBe('Order <b>update</b> · order_update');
    expect(select.querySelector('b')).toBeNull();
    expect(input.style.display).toBe('none');
    select.value = 'Q3xv1c9Rk2-8mZtLw0Pa_A';
    select.dispatchEvent(new Event('change'));
    expect(input.value).toBe('Q3xv1c9Rk2-8mZtLw0Pa_A');
    expect(changes).toEqual(['Q3xv1c9Rk2-8mZtLw0Pa_A']);
    vi.unstubAllGlobals();
  });

  it('when the Salesbot designer adds and saves our block, then it has the three exits and its steps ask the backend with the block’s settings and the card’s ids, then exit by the status Kommo is continued with', () => {
    widget.i18n = (section: string) => (section === 'salesbot' ? { exits: { sent: 'Sent', failed: 'Not sent', opted_out: 'Opted out' } } : {});
    expect(widget.callbacks.salesbotDesignerSettings!()).toEqual({
      exits: [
        { code: 'sent', title: 'Sent' },
        { code: 'failed', title: 'Not sent' },
        { code: 'opted_out', title: 'Opted out' },
      ],
    });
    const saved = widget.callbacks.onSalesbotDesignerSave!('send_template', {
      template: ' order_update ',
      language: '',
      parameters: '{{contact.name}}\n{{lead.name}}',
      number_id: '',
    });
    expect(typeof saved).toBe('string');
    const steps = JSON.parse(saved as string);
    expect(steps[0].question[0]).toEqual({
      handler: 'widget_request',
      params: {
        url: `${APP_ORIGIN}/kommo/salesbot`,
        data: {
          template: 'order_update',
          language: 'en_US',
          parameters: '{{contact.name}}\n{{lead.name}}',
          number_id: '',
          contact_id: '{{contact.id}}',
          lead_id: '{{lead.id}}',
        },
      },
    });
    expect(
      steps[1].question.map((c: { params: { conditions: { term1: string; term2: string }[]; result: { params: { value: string } }[] } }) => [
        c.params.conditions[0]!.term1,
        c.params.conditions[0]!.term2,
        c.params.result[0]!.params.value,
      ]),
    ).toEqual([
      ['{{json.status}}', 'sent', 'sent'],
      ['{{json.status}}', 'failed', 'failed'],
      ['{{json.status}}', 'opted_out', 'opted_out'],
    ]);
  });
});
