import { readSheet } from 'read-excel-file/node';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_AGENT_ID } from '../../../fakes/kommo/fake-kommo-data';
import { accountWithAudience, broadcastReady, phoneOf, runEngine, springSale, waIdOf } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { csvLine } from './broadcast-report';
import { column, xmlText } from './broadcast-report-xlsx';

/** Reads a CSV body back into rows (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('broadcast report lines', () => {
  it('when a value holds a comma, a quote or a line break, then it is quoted with its quotes doubled', () => {
    expect(csvLine(['a,b', 'say "hi"', 'two\nlines', 'plain'])).toBe('"a,b","say ""hi""","two\nlines",plain\r\n');
  });

  it('when a customer-written value starts like a spreadsheet formula, then it is written as text; a phone in E.164 stays a number', () => {
    expect(csvLine(['=HYPERLINK("http://x")', '+1 (555) evil', '-2+3', '@SUM(A1)', '+5511912345678'])).toBe(
      `"'=HYPERLINK(""http://x"")",'+1 (555) evil,'-2+3,'@SUM(A1),+5511912345678\r\n`,
    );
  });

  it('when a value holds markup or a control character XML forbids, then the XLSX cell escapes the one and leaves out the other; columns past Z are AA, AB', () => {
    expect(xmlText('<b>Tom & "Jerry"</b>\u0001\u000b\ttab')).toBe('&lt;b&gt;Tom &amp; "Jerry"&lt;/b&gt;\ttab');
    expect([0, 11, 25, 26, 27, 701, 702].map(column)).toEqual(['A', 'L', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });
});

for (const kind of storeKinds()) {
  describe(`broadcast report (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when a broadcast has run, then its report lists every recipient with status, error code and reason, the reply and the opt-out', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(4)] });
      const { auth: first, numbers, signIn } = await broadcastReady(t);
      const draft = (
        await t.http.post('/api/v1/broadcasts', { ...springSale(numbers, [10_001, 10_002, 10_003, 10_004]), name: 'Spring, "big" sale' }, { headers: first })
      ).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: first });
      // In send order: recipient 1 is undeliverable; 2, 3 and 4 go out.
      t.fakeWhatsApp.knobs.failNext = [131026];
      await runEngine(t);
      t.clock.advance(3600_000);
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(2), 'Is the blue one, "navy", on sale?');
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(3), 'STOP');
      await t.settle();
      const auth = await signIn();

      const res = await t.http.get(`/api/v1/broadcasts/${draft.id}/report.csv`, { headers: auth, responseType: 'arraybuffer' });
      const body = new TextDecoder('utf-8', { ignoreBOM: true }).decode(res.data);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
      expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('Spring big sale report.csv')}`);
      expect(body.startsWith('\uFEFF')).toBe(true);
      const [header, ...rows] = parseCsv(body.slice(1));
      expect(header).toEqual([
        '#',
        'Name',
        'Phone',
        'Kommo lead',
        'Kommo contact',
        'Status',
        'Error code',
        'Reason',
        'Sent at',
        'Replied at',
        'Reply',
        'Opted out at',
      ]);
      expect(rows).toHaveLength(4);
      const byPhone = new Map(rows.map((r) => [r[2], Object.fromEntries(header!.map((h, i) => [h, r[i]]))]));
      const one = byPhone.get(`+${waIdOf(1)}`)!;
      expect(one).toMatchObject({ 'Kommo lead': '10001', Status: 'failed', 'Error code': '131026', 'Sent at': '', Reply: '', 'Opted out at': '' });
      expect(one.Reason).not.toBe('');
      const two = byPhone.get(`+${waIdOf(2)}`)!;
      expect(two).toMatchObject({ Status: 'read', 'Error code': '', Reply: 'Is the blue one, "navy", on sale?', 'Opted out at': '' });
      expect(two['Replied at']).not.toBe('');
      const three = byPhone.get(`+${waIdOf(3)}`)!;
      expect(three['Opted out at']).not.toBe('');
      expect(new Date(three['Opted out at']!) >= new Date(three['Sent at']!)).toBe(true);
      expect(byPhone.get(`+${waIdOf(4)}`)).toMatchObject({ Status: 'read', Reply: '', 'Replied at': '', 'Opted out at': '' });
    });

    it('when a customer answers STOP within the second the broadcast reached them (Meta stamps whole seconds), then the report shows their reply and their opt-out', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth: first, numbers, signIn } = await broadcastReady(t);
      // The send lands half-way through a second; the answer 300 ms later carries that second's start.
      t.clock.advance(1500 - (t.clock.now().getTime() % 1000));
      const draft = (await t.http.post('/api/v1/broadcasts', { ...springSale(numbers, [10_001]), name: 'Same second' }, { headers: first })).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: first });
      await runEngine(t);
      t.clock.advance(300);
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(1), 'STOP');
      await t.settle();

      const res = await t.http.get(`/api/v1/broadcasts/${draft.id}/report.csv`, { headers: await signIn(), responseType: 'arraybuffer' });
      const [header, row] = parseCsv(new TextDecoder('utf-8', { ignoreBOM: true }).decode(res.data).slice(1));
      const one = Object.fromEntries(header!.map((h, i) => [h, row![i]]));
      expect(one['Sent at']).toMatch(/\.5\d\dZ$/);
      expect(one).toMatchObject({ Reply: 'STOP' });
      expect(one['Replied at']).not.toBe('');
      expect(one['Opted out at']).not.toBe('');
      // The broadcast's own counts agree.
      expect((await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: await signIn() })).data.counts).toMatchObject({ replied: 1, optedOut: 1 });
    });

    it('when a broadcast has run, then its XLSX report opens in a spreadsheet reader with the same rows: status, error code and reason, reply, opt-out; a formula-like reply stays text', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)] });
      const { auth: first, numbers, signIn } = await broadcastReady(t);
      const draft = (
        await t.http.post('/api/v1/broadcasts', { ...springSale(numbers, [10_001, 10_002, 10_003]), name: 'Autumn <sale> & more' }, { headers: first })
      ).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: first });
      t.fakeWhatsApp.knobs.failNext = [131026];
      await runEngine(t);
      t.clock.advance(3600_000);
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(2), '=HYPERLINK("http://x") <b>bold</b> & more');
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(3), 'STOP');
      await t.settle();
      const auth = await signIn();

      const res = await t.http.get(`/api/v1/broadcasts/${draft.id}/report.xlsx`, { headers: auth, responseType: 'arraybuffer' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('Autumn sale  more report.xlsx')}`);
      const [header, ...rows] = await readSheet(Buffer.from(res.data));
      expect(header).toEqual([
        '#',
        'Name',
        'Phone',
        'Kommo lead',
        'Kommo contact',
        'Status',
        'Error code',
        'Reason',
        'Sent at',
        'Replied at',
        'Reply',
        'Opted out at',
      ]);
      expect(rows).toHaveLength(3);
      const byPhone = new Map(rows.map((r) => [r[2], Object.fromEntries(header!.map((h, i) => [String(h), r[i]]))]));
      const one = byPhone.get(`+${waIdOf(1)}`)!;
      expect(one).toMatchObject({ '#': 1, 'Kommo lead': '10001', Status: 'failed', 'Error code': 131026, 'Sent at': null, Reply: null });
      expect(typeof one.Reason).toBe('string');
      const two = byPhone.get(`+${waIdOf(2)}`)!;
      expect(two).toMatchObject({ Status: 'read', 'Error code': null, Reply: '=HYPERLINK("http://x") <b>bold</b> & more', 'Opted out at': null });
      expect(typeof two['Replied at']).toBe('string');
      const three = byPhone.get(`+${waIdOf(3)}`)!;
      expect(new Date(String(three['Opted out at'])) >= new Date(String(three['Sent at']))).toBe(true);
    });

    it("when an agent who did not create the broadcast asks for its report, then it is refused; another account's broadcast is not found", async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)] });
      const { auth, numbers } = await broadcastReady(t);
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, [10_001]), { headers: auth })).data;
      const agentToken = await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_AGENT_ID);
      const agent = { Authorization: `Bearer ${(await t.http.post('/api/v1/session', {}, { headers: { 'X-Auth-Token': agentToken } })).data.token}` };
      const refused = await t.http.get(`/api/v1/broadcasts/${draft.id}/report.csv`, { headers: agent });
      expect(refused.status).toBe(403);
      expect(refused.data.error.code).toBe('report_not_yours');
      expect((await t.http.get(`/api/v1/broadcasts/no-such-broadcast/report.csv`, { headers: auth })).status).toBe(404);
      const refusedXlsx = await t.http.get(`/api/v1/broadcasts/${draft.id}/report.xlsx`, { headers: agent });
      expect(refusedXlsx.status).toBe(403);
      expect(refusedXlsx.data.error.code).toBe('report_not_yours');
    });
  });
}
