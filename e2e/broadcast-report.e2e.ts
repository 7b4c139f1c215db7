import { readFile } from 'node:fs/promises';
import { readSheet } from 'read-excel-file/node';
import { expect, test } from './fixtures';
import { widgetFrame } from './widget-frame';

// The admin has connected the account's sandbox number.
test.use({ numberConnected: true });

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

const COLUMNS = ['#', 'Name', 'Phone', 'Kommo lead', 'Kommo contact', 'Status', 'Error code', 'Reason', 'Sent at', 'Replied at', 'Reply', 'Opted out at'];

test('when a small broadcast has run and a customer answered STOP, then its report downloads from the widget as CSV and as XLSX, a row per recipient with status, reason, reply and opt-out', async ({
  page,
  request,
}) => {
  await page.goto('/demo#leads');
  await page.locator('#kommo-plan').selectOption('Advanced');
  for (const lead of ['Website order #1001', 'Family plan #1003']) await page.getByLabel(`Select ${lead}`).check();
  await page.getByRole('button', { name: 'Wabridge' }).click();
  const widget = widgetFrame(page, 'list');
  const composer = widget.getByTestId('broadcast-composer');
  await composer.getByLabel('Name').fill('Report check');
  await composer.getByTestId('broadcast-template').selectOption({ label: 'come_back (en_US) · opt-out line' });
  await composer.getByTestId('broadcast-param-1').getByRole('combobox').selectOption({ label: 'First name' });
  await composer.getByTestId('broadcast-consent').selectOption('existing_customers');
  await composer.getByTestId('broadcast-dry-run').click();
  // Maria and Ana; Lucas shares Ana's phone, and his other one cannot exist.
  const dry = widget.getByTestId('broadcast-dry-run-summary');
  await expect(dry.getByTestId('dry-recipients')).toHaveText('2');
  await dry.getByTestId('broadcast-launch').click();

  const progress = widget.getByTestId('broadcast-page');
  await expect(progress).toHaveAttribute('data-status', 'completed', { timeout: 20_000 });
  await expect(progress.locator('[data-count="read"] dd')).toHaveText('2', { timeout: 15_000 });
  // Maria (the demo's customer) answers STOP: an opt-out after the send.
  await request.post('/demo/whatsapp/customer-writes', { data: { text: 'STOP' } });

  // The CSV, as the browser saves it.
  const rowsOf = (rows: string[][]) => new Map(rows.map((r) => [r[1], Object.fromEntries(COLUMNS.map((h, i) => [h, r[i] ?? ''])) as Record<string, string>]));
  let csv: string[][] = [];
  await expect(async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), progress.getByTestId('broadcast-report').click()]);
    expect(download.suggestedFilename()).toBe('Report check report.csv');
    const text = await readFile((await download.path())!, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    csv = parseCsv(text.slice(1));
    expect(rowsOf(csv.slice(1)).get('Maria Silva')?.['Opted out at']).not.toBe('');
  }).toPass({ timeout: 15_000 });
  expect(csv[0]).toEqual(COLUMNS);
  const byName = rowsOf(csv.slice(1));
  expect(byName.get('Maria Silva')).toMatchObject({ Status: 'read', 'Error code': '', Reason: '', Reply: 'STOP' });
  expect(byName.get('Ana Costa')).toMatchObject({ Status: 'read', 'Error code': '', Reason: '', Reply: '', 'Opted out at': '' });
  expect(byName.get('Ana Costa')!['Sent at']).not.toBe('');
  // Lucas's number that cannot exist: listed, excluded, with the reason.
  expect(byName.get('Lucas Costa')).toMatchObject({ Status: 'excluded', 'Error code': '', Reason: 'invalid_number', 'Sent at': '' });

  // The same report as a workbook.
  const [download] = await Promise.all([page.waitForEvent('download'), progress.getByTestId('broadcast-report-xlsx').click()]);
  expect(download.suggestedFilename()).toBe('Report check report.xlsx');
  const [header, ...rows] = await readSheet(await readFile((await download.path())!));
  expect(header).toEqual(COLUMNS);
  expect(rows).toHaveLength(csv.length - 1);
  const sheet = new Map(rows.map((r) => [r[1], Object.fromEntries(COLUMNS.map((h, i) => [h, r[i]]))]));
  expect(sheet.get('Maria Silva')).toMatchObject({
    Status: 'read',
    'Error code': null,
    Reply: 'STOP',
    'Opted out at': byName.get('Maria Silva')!['Opted out at'],
  });
  expect(sheet.get('Lucas Costa')).toMatchObject({ Status: 'excluded', Reason: 'invalid_number' });
});
