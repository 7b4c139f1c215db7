import { describe, expect, it } from 'vitest';
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
