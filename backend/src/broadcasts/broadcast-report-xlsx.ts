import { Readable } from 'node:stream';
import yazl from 'yazl';

/**
 * A one-sheet XLSX workbook (Office Open XML SpreadsheetML) of text cells, streamed: the sheet's
 * rows are written as they come, page by page, so a report of any size costs the same memory
 * (decision 034). Every cell is an inline string — a spreadsheet never runs one as a formula, so
 * a customer's "=HYPERLINK(…)" stays text without the CSV's apostrophe — except the columns named
 * in `numeric`, written as numbers when the value is one (the recipient's #, the error code).
 */
export function xlsxWorkbook(options: {
  sheetName: string;
  header: readonly string[];
  rows: AsyncIterable<string[][]>;
  numeric?: readonly number[];
}): Readable {
  const zip = new yazl.ZipFile();
  const fixed = new Date('2026-01-01T00:00:00Z');
  const add = (name: string, xml: string) => zip.addBuffer(Buffer.from(XML_DECLARATION + xml, 'utf8'), name, { mtime: fixed });
  add('[Content_Types].xml', CONTENT_TYPES);
  add('_rels/.rels', ROOT_RELS);
  add('xl/workbook.xml', workbook(options.sheetName));
  add('xl/_rels/workbook.xml.rels', WORKBOOK_RELS);
  add('xl/styles.xml', STYLES);
  const numeric = new Set(options.numeric ?? []);
  async function* sheet() {
    const width = options.header.length;
    yield (
      XML_DECLARATION +
      `<worksheet xmlns="${MAIN_NS}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` +
      `<sheetData>${row(1, options.header, new Set(), 1)}`
    );
    let line = 1;
    for await (const page of options.rows) {
      yield page.map((values) => row(++line, values.slice(0, width), numeric, 0)).join('');
    }
    yield '</sheetData></worksheet>';
  }
  zip.addReadStream(Readable.from(sheet(), { objectMode: false }), 'xl/worksheets/sheet1.xml', { mtime: fixed });
  zip.end();
  return zip.outputStream as Readable;
}

/** A row's cells; `style` 1 is the header's bold. */
function row(line: number, values: readonly string[], numeric: ReadonlySet<number>, style: number): string {
  const cells = values.map((v, i) => {
    const ref = `${column(i)}${line}`;
    const s = style ? ` s="${style}"` : '';
    if (numeric.has(i) && /^-?\d{1,15}$/.test(v)) return `<c r="${ref}"${s}><v>${v}</v></c>`;
    if (v === '') return '';
    return `<c r="${ref}"${s} t="inlineStr"><is><t xml:space="preserve">${xmlText(v)}</t></is></c>`;
  });
  return `<row r="${line}">${cells.join('')}</row>`;
}

/** A, B, … Z, AA, AB, … for a 0-based column index. */
export function column(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** Text as XML allows it: markup escaped, and the control characters XML 1.0 forbids left out. */
export function xmlText(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

const CONTENT_TYPES =
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
  '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
  '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
  '</Types>';

const ROOT_RELS = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

const WORKBOOK_RELS =
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  `<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>` +
  `<Relationship Id="rId2" Type="${REL_NS}/styles" Target="styles.xml"/>` +
  '</Relationships>';

/** Sheet names: at most 31 characters, none of : \ / ? * [ ]. */
const workbook = (sheetName: string) =>
  `<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheets><sheet name="${xmlText(sheetName.replace(/[:\\/?*[\]]/g, '').slice(0, 31) || 'Sheet1').replace(/"/g, '&quot;')}" sheetId="1" r:id="rId1"/></sheets></workbook>`;

/** Two cell formats: the default, and bold for the header. */
const STYLES =
  `<styleSheet xmlns="${MAIN_NS}">` +
  '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
  '</styleSheet>';
