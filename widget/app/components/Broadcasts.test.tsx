import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { http, HttpResponse } from 'msw';
import type { BroadcastView } from '../../../contract/broadcasts';
import { API, context, licence, received, server, session } from '../../test/api-mock';
import { createApiClient } from '../api/api-client';
import { createFakeHost } from '../host/fake-host';
import { mount } from '../mount';

const number = {
  id: 'num-1',
  phoneNumberId: '109000000000001',
  wabaId: '209000000000001',
  displayPhoneNumber: '+1 555-010-0001',
  verifiedName: 'Demo',
  connectedAt: '2026-11-21T10:00:00.000Z',
};
const template = { name: 'come_back', language: 'en_US', category: 'MARKETING', body: 'Hi {{1}}! We have news for you.', paramCount: 1, headerFormat: null };
const qualifying = { ...template, status: 'APPROVED', qualifies: true, unsubscribe: 'line', refusal: null };

function broadcast(overrides: Partial<BroadcastView> = {}): BroadcastView {
  return {
    id: 'b-1',
    name: 'Spring news',
    status: 'draft',
    pause: null,
    template: { name: 'come_back', language: 'en_US', body: template.body },
    consentSource: 'existing_customers',
    numberIds: ['num-1'],
    scheduledAt: null,
    quietHours: null,
    createdAt: '2026-11-21T10:00:00.000Z',
    launchedAt: null,
    finishedAt: null,
    counts: { total: 3, queued: 3, sent: 0, delivered: 0, read: 0, failed: 0, replied: 0, optedOut: 0, cancelled: 0 },
    progress: 0,
    dryRun: {
      selected: 3,
      phones: 5,
      merged: 1,
      recipients: 3,
      exclusions: { opted_out: 0, no_phone: 0, invalid_number: 1, empty_parameter: 0, forbidden_words: 2, over_allowance: 0 },
      messagesNeeded: 3,
      allowanceLeft: 75,
      estimatedSeconds: 1,
      preview: [{ name: 'Maria Silva', phone: '+5511912345678', text: 'Hi Maria Silva! We have news for you.' }],
    },
    failures: [],
    ...overrides,
  };
}

describe('broadcasts in the widget', () => {
  let root: HTMLElement;
  let unmount: () => void;
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  beforeEach(() => {
    received.length = 0;
    root = document.createElement('div');
    document.body.appendChild(root);
    server.use(
      http.get(`${API}/api/v1/numbers`, () => HttpResponse.json({ numbers: [number], limit: 1 })),
      http.get(`${API}/api/v1/numbers/:id/templates`, () => HttpResponse.json({ templates: [template] })),
      http.get(`${API}/api/v1/numbers/:id/broadcast-templates`, () => HttpResponse.json({ templates: [qualifying] })),
    );
  });
  afterEach(() => {
    unmount?.();
    root.remove();
    server.resetHandlers();
  });

  function openList(selected: { id: number; type: string }[]) {
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session(), context: { ...context('list'), selected } });
  }

  const q = <T extends Element = HTMLElement>(sel: string) => root.querySelector<T>(sel);

  it('when leads are composed into a broadcast, then the dry run is asked for with the mapping and consent, and launch sends the count shown', async () => {
    let launchedWith: unknown;
    server.use(
      http.post(`${API}/api/v1/broadcasts`, async ({ request }) => {
        received.push({ method: 'POST', path: '/api/v1/broadcasts', authorization: null, body: await request.json() });
        return HttpResponse.json(broadcast(), { status: 201 });
      }),
      http.post(`${API}/api/v1/broadcasts/b-1/launch`, async ({ request }) => {
        launchedWith = await request.json();
        return HttpResponse.json(broadcast({ status: 'running', dryRun: null, launchedAt: '2026-11-21T10:01:00.000Z' }));
      }),
    );
    openList([
      { id: 1001, type: 'lead' },
      { id: 1002, type: 'lead' },
    ]);
    await vi.waitFor(() => expect(q('[data-testid="broadcast-template"]')).not.toBeNull());
    const select = q<HTMLSelectElement>('[data-testid="broadcast-template"]')!;
    select.value = 'come_back|en_US';
    select.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(q('[data-testid="broadcast-template-preview"]')?.textContent).toContain('Hi [Contact name]! We have news for you.'));
    // Without a consent source the dry run cannot be asked for; a bought list is named as forbidden.
    expect(q<HTMLButtonElement>('[data-testid="broadcast-dry-run"]')!.disabled).toBe(true);
    const consent = q<HTMLSelectElement>('[data-testid="broadcast-consent"]')!;
    consent.value = 'purchased_list';
    consent.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(q('[data-testid="consent-rule"]')?.className).toBe('wb-error'));
    expect(q<HTMLButtonElement>('[data-testid="broadcast-dry-run"]')!.disabled).toBe(true);
    consent.value = 'existing_customers';
    consent.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(q<HTMLButtonElement>('[data-testid="broadcast-dry-run"]')!.disabled).toBe(false));
    q<HTMLButtonElement>('[data-testid="broadcast-dry-run"]')!.click();

    await vi.waitFor(() => expect(q('[data-testid="broadcast-dry-run-summary"]')).not.toBeNull());
    expect(received.find((r) => r.path === '/api/v1/broadcasts')?.body).toMatchObject({
      audience: { source: 'leads', ids: [1001, 1002] },
      consentSource: 'existing_customers',
      numberIds: ['num-1'],
      template: { name: 'come_back', language: 'en_US' },
      parameters: [{ field: 'name' }],
    });
    expect(q('[data-reason="invalid_number"]')?.textContent).toBe('Invalid number: 1');
    expect(q('[data-reason="forbidden_words"]')?.textContent).toBe('Forbidden word in a mapped field: 2');
    expect(q('[data-testid="dry-allowance"]')?.textContent).toBe('Messages needed: 3 · allowance left: 75');
    expect(q('[data-testid="dry-preview"]')?.textContent).toContain('Hi Maria Silva! We have news for you.');
    const launch = q<HTMLButtonElement>('[data-testid="broadcast-launch"]')!;
    expect(launch.textContent).toBe('Launch to 3 recipients');
    launch.click();
    await vi.waitFor(() => expect(q('[data-testid="broadcast-page"]')?.getAttribute('data-status')).toBe('running'));
    expect(launchedWith).toEqual({ expectedRecipients: 3 });
  });

  it('when the picker opens, then the templates that can carry a broadcast come first and the others are disabled with the reason in the user’s language', async () => {
    server.use(
      http.get(`${API}/api/v1/numbers/:id/broadcast-templates`, () =>
        HttpResponse.json({
          templates: [
            { ...qualifying, name: 'spring_sale', unsubscribe: 'button' },
            { ...template, name: 'deals', status: 'APPROVED', qualifies: false, unsubscribe: null, refusal: { reason: 'unsubscribe_missing', words: [] } },
            {
              ...template,
              name: 'lucky',
              status: 'APPROVED',
              qualifies: false,
              unsubscribe: null,
              refusal: { reason: 'forbidden_words', words: ['casino', 'jackpot'] },
            },
            { ...template, name: 'old_promo', status: 'PAUSED', qualifies: false, unsubscribe: null, refusal: { reason: 'template_not_approved', words: [] } },
          ],
        }),
      ),
    );
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session(), context: { ...context('list'), language: 'es', selected: [{ id: 1001, type: 'lead' }] } });
    await vi.waitFor(() => expect(q('[data-testid="broadcast-template"] option[value="lucky|en_US"]')).not.toBeNull());
    const options = [...root.querySelectorAll<HTMLOptionElement>('[data-testid="broadcast-template"] option')].slice(1);
    expect(options.map((o) => [o.value, o.disabled, o.textContent])).toEqual([
      ['spring_sale|en_US', false, 'spring_sale (en_US) · botón para darse de baja'],
      ['deals|en_US', true, 'deals (en_US) · sin botón para darse de baja ni línea “Responde BAJA para no recibir más”'],
      ['lucky|en_US', true, 'lucky (en_US) · palabras prohibidas: casino, jackpot'],
      ['old_promo|en_US', true, 'old_promo (en_US) · no aprobada por WhatsApp'],
    ]);
    // A template that does not qualify cannot be chosen, even if the select is forced to it: nothing gets mapped.
    const select = q<HTMLSelectElement>('[data-testid="broadcast-template"]')!;
    select.value = 'deals|en_US';
    select.dispatchEvent(new Event('change'));
    await new Promise((r) => setTimeout(r, 20));
    expect(q('[data-testid="broadcast-param-1"]')).toBeNull();
    expect(q('[data-testid="broadcast-template-preview"]')).toBeNull();
    select.value = 'spring_sale|en_US';
    select.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(q('[data-testid="broadcast-param-1"]')).not.toBeNull());
  });

  it('when the dry run cannot run yet, then the disabled button says what is missing: a template, a header image link, a consent source, a refused consent source', async () => {
    const promo = { ...qualifying, name: 'promo', headerFormat: 'IMAGE', unsubscribe: 'button' };
    server.use(http.get(`${API}/api/v1/numbers/:id/broadcast-templates`, () => HttpResponse.json({ templates: [promo] })));
    openList([{ id: 1001, type: 'lead' }]);
    await vi.waitFor(() => expect(q('[data-testid="broadcast-template"] option[value="promo|en_US"]')).not.toBeNull());
    const button = q<HTMLButtonElement>('[data-testid="broadcast-dry-run"]')!;
    const missing = () => q('[data-testid="dry-run-missing"]');
    expect(button.disabled).toBe(true);
    expect(missing()?.getAttribute('data-missing')).toBe('template consent');
    expect(missing()?.textContent).toBe("Before the dry run: choose a template that qualifies; choose where the audience's consent comes from.");
    expect(button.getAttribute('aria-describedby')).toBe(missing()?.id);

    const pick = (sel: string, value: string) => {
      const select = q<HTMLSelectElement>(sel)!;
      select.value = value;
      select.dispatchEvent(new Event('change'));
    };
    pick('[data-testid="broadcast-template"]', 'promo|en_US');
    await vi.waitFor(() => expect(missing()?.getAttribute('data-missing')).toBe('header_media consent'));
    expect(missing()?.textContent).toContain('add the link to the header image');
    // What the preview promises is this template's own way to unsubscribe.
    expect(q('[data-testid="unsubscribe-note"]')?.textContent).toBe("Every message carries this template's Unsubscribe button; it cannot be removed.");

    pick('[data-testid="broadcast-consent"]', 'purchased_list');
    await vi.waitFor(() => expect(missing()?.getAttribute('data-missing')).toBe('header_media consent_refused'));
    expect(missing()?.textContent).toContain('a purchased, rented or scraped list cannot be messaged');

    pick('[data-testid="broadcast-consent"]', 'opt_in_form');
    const link = root.querySelector<HTMLInputElement>('input[type="url"]')!;
    link.value = 'https://cdn.example.com/promo.jpg';
    link.dispatchEvent(new Event('input'));
    await vi.waitFor(() => expect(missing()).toBeNull());
    expect(button.disabled).toBe(false);
  });

  it('when a template carries an opt-out line, then the preview says the line, not a button; and when none qualifies, the picker says so', async () => {
    server.use(
      http.get(`${API}/api/v1/numbers/:id/broadcast-templates`, () =>
        HttpResponse.json({
          templates: [
            { ...template, name: 'deals', status: 'APPROVED', qualifies: false, unsubscribe: null, refusal: { reason: 'unsubscribe_missing', words: [] } },
            { ...qualifying, name: 'news', unsubscribe: 'line' },
          ],
        }),
      ),
    );
    openList([{ id: 1001, type: 'lead' }]);
    await vi.waitFor(() => expect(q('[data-testid="broadcast-template"] option[value="news|en_US"]')).not.toBeNull());
    // Those that qualify first, whatever order the list came in.
    expect([...root.querySelectorAll<HTMLOptionElement>('[data-testid="broadcast-template"] option')].slice(1).map((o) => o.value)).toEqual([
      'news|en_US',
      'deals|en_US',
    ]);
    expect(q('[data-testid="no-qualifying-template"]')).toBeNull();
    const select = q<HTMLSelectElement>('[data-testid="broadcast-template"]')!;
    select.value = 'news|en_US';
    select.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(q('[data-testid="unsubscribe-note"]')?.getAttribute('data-unsubscribe')).toBe('line'));
    expect(q('[data-testid="unsubscribe-note"]')?.textContent).toBe("Every message carries this template's opt-out line; it cannot be removed.");
  });

  it('when the backend refuses the draft, then the error is a sentence of the user’s language naming the field by its label', async () => {
    const promo = { ...qualifying, name: 'promo', headerFormat: 'IMAGE', unsubscribe: 'button' };
    server.use(
      http.get(`${API}/api/v1/numbers/:id/broadcast-templates`, () => HttpResponse.json({ templates: [promo] })),
      http.post(`${API}/api/v1/broadcasts`, () =>
        HttpResponse.json(
          {
            error: {
              code: 'invalid_request',
              message: 'The request body is not valid: body.headerMediaUrl.',
              issues: [{ path: 'body.headerMediaUrl', message: 'Invalid URL', problem: 'invalid_format', format: 'url' }],
            },
          },
          { status: 400 },
        ),
      ),
    );
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'es', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session(), context: { ...context('list'), language: 'es', selected: [{ id: 1001, type: 'lead' }] } });
    await vi.waitFor(() => expect(q('[data-testid="broadcast-template"] option[value="promo|en_US"]')).not.toBeNull());
    const pick = (sel: string, value: string) => {
      const select = q<HTMLSelectElement>(sel)!;
      select.value = value;
      select.dispatchEvent(new Event('change'));
    };
    pick('[data-testid="broadcast-template"]', 'promo|en_US');
    pick('[data-testid="broadcast-consent"]', 'opt_in_form');
    await vi.waitFor(() => expect(root.querySelector('input[type="url"]')).not.toBeNull());
    const link = root.querySelector<HTMLInputElement>('input[type="url"]')!;
    link.value = 'https://cdn.example.com/promo.jpg';
    link.dispatchEvent(new Event('input'));
    await vi.waitFor(() => expect(q<HTMLButtonElement>('[data-testid="broadcast-dry-run"]')!.disabled).toBe(false));
    q<HTMLButtonElement>('[data-testid="broadcast-dry-run"]')!.click();
    await vi.waitFor(() => expect(q('[data-testid="broadcast-error"]')?.textContent).toBe('Enlace del encabezado debe ser una dirección web (https://…).'));
    expect(q('[data-testid="broadcast-error"]')?.getAttribute('data-code')).toBe('invalid_request');
  });

  it('when a launched broadcast is shown, then progress, counts, the chart and failures by reason are there, and retry is offered for retryable failures only', async () => {
    server.use(
      http.get(`${API}/api/v1/broadcasts`, () =>
        HttpResponse.json({ broadcasts: [broadcast({ status: 'paused', dryRun: undefined as never, failures: undefined as never })] }),
      ),
      http.get(`${API}/api/v1/broadcasts/b-1`, () =>
        HttpResponse.json(
          broadcast({
            status: 'paused',
            pause: { reason: 'failure_spike', detail: '20 of the last 20 messages failed.' },
            dryRun: null,
            counts: { total: 10, queued: 4, sent: 4, delivered: 3, read: 2, failed: 2, replied: 1, optedOut: 0, cancelled: 0 },
            progress: 60,
            failures: [
              { code: 131049, title: 'Per-user marketing limit', count: 1, retryable: true },
              { code: 131026, title: 'Undeliverable', count: 1, retryable: false },
            ],
          }),
        ),
      ),
    );
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session(), context: context('advanced_settings') });
    await vi.waitFor(() => expect(q('[data-testid="broadcast-row"] button')).not.toBeNull());
    q<HTMLButtonElement>('[data-testid="broadcast-row"] button')!.click();
    await vi.waitFor(() => expect(q('[data-testid="broadcast-page"]')).not.toBeNull());
    expect(q('[data-testid="broadcast-progress"]')?.getAttribute('aria-valuenow')).toBe('60');
    expect(q('[data-testid="broadcast-pause"]')?.textContent).toBe('Paused: too many messages failed. 20 of the last 20 messages failed.');
    expect(q('[data-count="replied"] dd')?.textContent).toBe('1');
    expect(q('[data-testid="broadcast-chart"] figcaption')?.textContent).toBe('Read 2Delivered 1Sent 1Failed 2Queued 4');
    expect(q('[data-testid="broadcast-failures"]')?.textContent).toContain('Undeliverable (code 131026): 1 · final');
    expect(q('[data-testid="broadcast-retry"]')).not.toBeNull();
    expect(q('[data-testid="broadcast-resume"]')).not.toBeNull();
  });

  it('when a finished broadcast is shown, then its report downloads as CSV or as XLSX, each saved under the name the backend gave it', async () => {
    const done = broadcast({
      status: 'completed',
      dryRun: null,
      counts: { total: 3, queued: 0, sent: 3, delivered: 3, read: 3, failed: 0, replied: 0, optedOut: 0, cancelled: 0 },
      progress: 100,
    });
    server.use(
      http.get(`${API}/api/v1/broadcasts`, () => HttpResponse.json({ broadcasts: [{ ...done, dryRun: undefined as never, failures: undefined as never }] })),
      http.get(`${API}/api/v1/broadcasts/b-1`, () => HttpResponse.json(done)),
      http.get(`${API}/api/v1/broadcasts/b-1/:file`, ({ params }) => {
        received.push({ method: 'GET', path: `/api/v1/broadcasts/b-1/${String(params.file)}`, authorization: null, body: undefined });
        const format = String(params.file).split('.')[1];
        return new HttpResponse(format === 'xlsx' ? new Uint8Array([0x50, 0x4b, 3, 4]) : '\uFEFF#,Name\r\n', {
          headers: {
            'content-disposition': `attachment; filename="broadcast-report.${format}"; filename*=UTF-8''${encodeURIComponent(`Spring news report.${format}`)}`,
          },
        });
      }),
    );
    const saved: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session(), context: context('advanced_settings') });
    await vi.waitFor(() => expect(q('[data-testid="broadcast-row"] button')).not.toBeNull());
    q<HTMLButtonElement>('[data-testid="broadcast-row"] button')!.click();
    await vi.waitFor(() => expect(q('[data-testid="broadcast-report-xlsx"]')).not.toBeNull());
    expect(q('[data-testid="broadcast-report"]')?.textContent).toBe('Download report (CSV)');
    expect(q('[data-testid="broadcast-report-xlsx"]')?.textContent).toBe('Download report (XLSX)');
    q<HTMLButtonElement>('[data-testid="broadcast-report-xlsx"]')!.click();
    await vi.waitFor(() => expect(saved).toEqual(['Spring news report.xlsx']));
    q<HTMLButtonElement>('[data-testid="broadcast-report"]')!.click();
    await vi.waitFor(() => expect(saved).toEqual(['Spring news report.xlsx', 'Spring news report.csv']));
    expect(received.filter((r) => r.path.includes('/report.')).map((r) => r.path)).toEqual([
      '/api/v1/broadcasts/b-1/report.xlsx',
      '/api/v1/broadcasts/b-1/report.csv',
    ]);
    click.mockRestore();
  });

  it('when a message of the broadcast on screen is read, then its counts refresh, even if another broadcast’s event came first', async () => {
    let push: ((chunk: string) => void) | undefined;
    let read = 1;
    const running = () =>
      broadcast({
        status: 'running',
        dryRun: null,
        counts: { total: 3, queued: 0, sent: 3, delivered: 3, read, failed: 0, replied: 0, optedOut: 0, cancelled: 0 },
        progress: 100,
      });
    server.use(
      http.get(`${API}/api/v1/broadcasts`, () => HttpResponse.json({ broadcasts: [running()] })),
      http.get(`${API}/api/v1/broadcasts/b-1`, () => HttpResponse.json(running())),
      http.get(`${API}/api/v1/events`, () => {
        const stream = new ReadableStream<Uint8Array>({ start: (controller) => void (push = (chunk) => controller.enqueue(new TextEncoder().encode(chunk))) });
        return new HttpResponse(stream, { headers: { 'Content-Type': 'text/event-stream' } });
      }),
    );
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session(), context: context('advanced_settings') });
    await vi.waitFor(() => expect(q('[data-testid="broadcast-row"] button')).not.toBeNull());
    q<HTMLButtonElement>('[data-testid="broadcast-row"] button')!.click();
    await vi.waitFor(() => expect(q('[data-count="read"] dd')?.textContent).toBe('1'));
    await vi.waitFor(() => expect(push).toBeDefined());

    read = 3;
    // A chat message's status (no broadcast) and another broadcast's, then two of this one's.
    push!('event: message.status\ndata: {"conversationId":"conv-9","messageId":"m-9"}\n\n');
    push!('event: message.status\ndata: {"conversationId":"conv-8","messageId":"m-8","broadcastId":"b-2"}\n\n');
    push!('event: message.status\ndata: {"conversationId":"conv-1","messageId":"m-1","broadcastId":"b-1"}\n\n');
    await vi.waitFor(() => expect(q('[data-count="read"] dd')?.textContent).toBe('3'));
  });

  it('when a saved audience is chosen on the broadcasts page, then the draft goes to it, with a custom field mapped by id', async () => {
    let body: unknown;
    server.use(
      http.get(`${API}/api/v1/audiences`, () => HttpResponse.json({ audiences: [{ id: 'aud-1', name: 'VIP customers', source: 'contacts', size: 42 }] })),
      http.post(`${API}/api/v1/broadcasts`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(broadcast(), { status: 201 });
      }),
    );
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session(), context: context('advanced_settings') });
    await vi.waitFor(() => expect(q('[data-testid="saved-audiences"] button')).not.toBeNull());
    q<HTMLButtonElement>('[data-testid="saved-audiences"] button')!.click();
    await vi.waitFor(() =>
      expect(q('[data-testid="broadcast-composer"] h2')?.textContent).toBe('WhatsApp broadcast to the saved audience “VIP customers” (42)'),
    );
    await vi.waitFor(() => expect(q('[data-testid="broadcast-template"] option[value="come_back|en_US"]')).not.toBeNull());
    const select = q<HTMLSelectElement>('[data-testid="broadcast-template"]')!;
    select.value = 'come_back|en_US';
    select.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(q('[data-testid="broadcast-param-1"] select')).not.toBeNull());
    const field = q<HTMLSelectElement>('[data-testid="broadcast-param-1"] select')!;
    field.value = 'custom';
    field.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(q('[data-testid="broadcast-param-1"] input')).not.toBeNull());
    const id = q<HTMLInputElement>('[data-testid="broadcast-param-1"] input')!;
    id.value = '700001';
    id.dispatchEvent(new Event('input'));
    const consent = q<HTMLSelectElement>('[data-testid="broadcast-consent"]')!;
    consent.value = 'opt_in_form';
    consent.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(q<HTMLButtonElement>('[data-testid="broadcast-dry-run"]')!.disabled).toBe(false));
    expect(q('[data-testid="broadcast-template-preview"]')?.textContent).toContain('Hi [Custom field… 700001]!');
    q<HTMLButtonElement>('[data-testid="broadcast-dry-run"]')!.click();
    await vi.waitFor(() => expect(q('[data-testid="broadcast-dry-run-summary"]')).not.toBeNull());
    expect(body).toMatchObject({ audience: { savedAudienceId: 'aud-1' }, parameters: [{ field: 'cf:700001' }], consentSource: 'opt_in_form' });
  });

  it('when the dry run finds one recipient, then the button says so in the singular, in each language', async () => {
    const one = broadcast({ dryRun: { ...broadcast().dryRun!, recipients: 1, messagesNeeded: 1 } });
    server.use(http.post(`${API}/api/v1/broadcasts`, () => HttpResponse.json(one, { status: 201 })));
    for (const [language, text] of [
      ['en', 'Launch to 1 recipient'],
      ['es', 'Lanzar a 1 destinatario'],
      ['pt', 'Lançar para 1 destinatário'],
      ['ru', 'Запустить для 1 получателя'],
    ] as const) {
      const fake = createFakeHost();
      unmount = mount(root, { host: fake.host, language, createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
      fake.push({ type: 'wabridge:context', session: session(), context: { ...context('list'), language, selected: [{ id: 1001, type: 'lead' }] } });
      await vi.waitFor(() => expect(q('[data-testid="broadcast-template"] option[value="come_back|en_US"]')).not.toBeNull());
      const select = q<HTMLSelectElement>('[data-testid="broadcast-template"]')!;
      select.value = 'come_back|en_US';
      select.dispatchEvent(new Event('change'));
      const consent = q<HTMLSelectElement>('[data-testid="broadcast-consent"]')!;
      consent.value = 'existing_customers';
      consent.dispatchEvent(new Event('change'));
      await vi.waitFor(() => expect(q<HTMLButtonElement>('[data-testid="broadcast-dry-run"]')!.disabled).toBe(false));
      q<HTMLButtonElement>('[data-testid="broadcast-dry-run"]')!.click();
      await vi.waitFor(() => expect(q('[data-testid="broadcast-launch"]')?.textContent).toBe(text));
      unmount();
    }
  });

  it('when dry runs were made and never launched (left or discarded), then the broadcasts list shows only what was launched', async () => {
    server.use(
      http.get(`${API}/api/v1/broadcasts`, () =>
        HttpResponse.json({
          broadcasts: [
            broadcast({ id: 'b-3', name: 'Dry run again', dryRun: null }),
            broadcast({ id: 'b-2', name: 'Discarded dry run', status: 'cancelled', dryRun: null, finishedAt: '2026-11-21T10:02:00.000Z' }),
            broadcast({ id: 'b-1', name: 'Spring news', status: 'completed', dryRun: null, launchedAt: '2026-11-21T10:01:00.000Z' }),
            broadcast({ id: 'b-0', name: 'Stopped midway', status: 'cancelled', dryRun: null, launchedAt: '2026-11-20T10:01:00.000Z' }),
          ],
        }),
      ),
    );
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language: 'en', createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    fake.push({ type: 'wabridge:context', session: session(), context: context('advanced_settings') });
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="broadcast-row"]')).toHaveLength(2));
    expect([...root.querySelectorAll('[data-testid="broadcast-row"] button')].map((b) => b.textContent)).toEqual(['Spring news', 'Stopped midway']);
  });

  it('when the Kommo plan is Base, then the bulk action says broadcasts are off and why', async () => {
    server.use(http.get(`${API}/api/v1/licence`, () => HttpResponse.json(licence('Base'))));
    openList([{ id: 1001, type: 'lead' }]);
    await vi.waitFor(() => expect(q('[data-testid="broadcasts-disabled"]')?.getAttribute('data-code')).toBe('kommo_plan_required'));
    expect(q('[data-testid="broadcast-composer"]')).toBeNull();
  });
});
