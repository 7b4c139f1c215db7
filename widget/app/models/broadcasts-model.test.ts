import { describe, expect, it, vi } from 'vitest';
import { createApiClient, type ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { describeError, type Describe } from '../i18n/error-sentence';
import { translator } from '../i18n/translate';
import es from '../../../i18n/es.json';
import { createLiveModel } from './live-model';
import { createBroadcastsModel } from './broadcasts-model';

const inSpanish: Describe = (error, labels) => describeError(error, translator(es), labels);

describe('the broadcast report', () => {
  it('when the report of the broadcast on screen is asked for, then it comes from that broadcast with the name the backend gave it', async () => {
    const asked: string[] = [];
    const api = {
      broadcast: async (id: string) => ({ id, status: 'completed' }),
      broadcastReport: async (id: string) => {
        asked.push(id);
        return { blob: new Blob(['#,Name\r\n']), fileName: 'Spring sale report.csv' };
      },
    } as unknown as ApiClient;
    const model = createBroadcastsModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    await model.open('b-7');
    const report = await model.report();
    expect(asked).toEqual(['b-7']);
    expect(report?.fileName).toBe('Spring sale report.csv');
    expect(await report?.blob.text()).toBe('#,Name\r\n');
  });

  it('when the XLSX report is asked for, then the client fetches report.xlsx and keeps the backend’s file name', async () => {
    const asked: string[] = [];
    const fetch = (async (input: RequestInfo | URL) => {
      asked.push(String(input));
      return new Response(new Uint8Array([0x50, 0x4b, 3, 4]), {
        headers: {
          'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'content-disposition': `attachment; filename="broadcast-report.xlsx"; filename*=UTF-8''${encodeURIComponent('Spring sale report.xlsx')}`,
        },
      });
    }) as typeof globalThis.fetch;
    const api = {
      ...createApiClient({ baseURL: 'http://api.test', getToken: () => 'tok', fetch }),
      broadcast: async (id: string) => ({ id, status: 'completed' }),
    } as unknown as ApiClient;
    const model = createBroadcastsModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    await model.open('b-7');
    const report = await model.report('xlsx');
    expect(asked).toEqual(['http://api.test/api/v1/broadcasts/b-7/report.xlsx']);
    expect(report?.fileName).toBe('Spring sale report.xlsx');
    expect(new Uint8Array(await report!.blob.arrayBuffer()).slice(0, 2)).toEqual(new Uint8Array([0x50, 0x4b]));
  });

  it('when the backend refuses the report, then nothing is saved and the refusal is said in the user’s language', async () => {
    const api = {
      broadcast: async (id: string) => ({ id, status: 'completed' }),
      broadcastReport: async () => {
        throw new ApiError('report_not_yours', 'Only an administrator or the author of this broadcast can download its report.', 403);
      },
    } as unknown as ApiClient;
    const model = createBroadcastsModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    await model.open('b-7');
    expect(await model.report()).toBeUndefined();
    expect(model.error.value?.message).toBe(es.errors.report_not_yours);
  });
});

describe('the broadcasts followed live', () => {
  /** A live stream that opens when `open()` is called and stays open until the screen stops following. */
  const stream = () => {
    let opened: (() => void) | undefined;
    let emit: ((type: string, data: Record<string, string>) => void) | undefined;
    const events = (onEvent: typeof emit, signal: AbortSignal, onOpen?: () => void) =>
      new Promise<void>((done) => {
        opened = onOpen;
        emit = onEvent;
        signal.addEventListener('abort', () => done(), { once: true });
      });
    return { events, open: () => opened?.(), send: (type: string, data: Record<string, string>) => emit?.(type, data) };
  };
  const summary = (status: string) => ({ id: 'b-1', name: 'Spring sale', status, launchedAt: null });

  it('when the list was read before the live stream opened, then it is read again once the stream opens (a change in between is shown)', async () => {
    const live = stream();
    let status = 'scheduled';
    const api = {
      events: live.events,
      broadcasts: async () => ({ broadcasts: [summary(status)] }),
      audiences: async () => ({ audiences: [] }),
    } as unknown as ApiClient;
    const model = createBroadcastsModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    const listed = model.loadList();
    const stop = model.live();
    await listed;
    // The broadcast starts after the list was read, and the stream that would have said so opens only now.
    status = 'running';
    live.open();
    await vi.waitFor(() => expect(model.list.value?.[0]?.status).toBe('running'));
    stop();
  });

  it('when the stream opens while the list’s first read is still on its way, then the list is read again after it', async () => {
    const live = stream();
    let status = 'scheduled';
    let answerFirst: (() => void) | undefined;
    const api = {
      events: live.events,
      broadcasts: async () => {
        const seen = status;
        if (!answerFirst) await new Promise<void>((go) => (answerFirst = go));
        return { broadcasts: [summary(seen)] };
      },
      audiences: async () => ({ audiences: [] }),
    } as unknown as ApiClient;
    const model = createBroadcastsModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    const listed = model.loadList();
    const stop = model.live();
    status = 'running';
    live.open();
    // The refresh falls due while the first read has not answered.
    await new Promise((r) => setTimeout(r, 400));
    answerFirst!();
    await listed;
    await vi.waitFor(() => expect(model.list.value?.[0]?.status).toBe('running'));
    stop();
  });

  it('when a refresh of the broadcast on screen answers after the user opened another, then the other stays on screen', async () => {
    const live = stream();
    let answerLate: (() => void) | undefined;
    const api = {
      events: live.events,
      broadcast: async (id: string) => {
        if (id === 'b-1' && !answerLate) await new Promise<void>((go) => (answerLate = go));
        return { id, status: 'running' };
      },
    } as unknown as ApiClient;
    const model = createBroadcastsModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    answerLate = () => undefined;
    await model.open('b-1');
    answerLate = undefined;
    const stop = model.live();
    live.open();
    await vi.waitFor(() => expect(answerLate).toBeDefined());
    await model.open('b-2');
    answerLate!();
    await new Promise((r) => setTimeout(r, 20));
    expect(model.current.value?.id).toBe('b-2');
    stop();
  });

  it('when two refreshes of the broadcast on screen overlap and the later one answers last, then the later one shows', async () => {
    const live = stream();
    // The first refresh takes 500 ms and still sees the broadcast running; the second, asked 300 ms
    // later (the broadcast completed meanwhile), answers after it.
    const answers = [
      { wait: 0, status: 'running' },
      { wait: 500, status: 'running' },
      { wait: 400, status: 'completed' },
    ];
    const api = {
      events: live.events,
      broadcast: async (id: string) => {
        const { wait, status } = answers.shift()!;
        await new Promise((r) => setTimeout(r, wait));
        return { id, status };
      },
    } as unknown as ApiClient;
    const model = createBroadcastsModel({ api, live: createLiveModel({ api }), describe: inSpanish });
    await model.open('b-1');
    const stop = model.live();
    live.open();
    await new Promise((r) => setTimeout(r, 350));
    live.send('broadcast.updated', { broadcastId: 'b-1' });
    await vi.waitFor(() => expect(answers).toEqual([]), { timeout: 2000 });
    await vi.waitFor(() => expect(model.current.value?.status).toBe('completed'), { timeout: 2000 });
    stop();
  });
});
