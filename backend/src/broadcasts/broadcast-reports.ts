import type { Readable } from 'node:stream';
import type { Session } from '../auth/session-token';
import { forbidden, notFound } from '../http/app-error';
import type { Db } from '../store/db';
import { csvLine, REPORT_COLUMNS, reportValues } from './broadcast-report';
import { findReportedBroadcast, reportPage } from './broadcast-report-store';
import { xlsxWorkbook } from './broadcast-report-xlsx';

const PAGE = 1000;

/** The report's file formats: CSV for any program, XLSX for a spreadsheet (decision 034). */
export const REPORT_FORMATS = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;
export type ReportFormat = keyof typeof REPORT_FORMATS;

/** In XLSX the recipient's # and the error code are numbers. */
const NUMERIC_COLUMNS = [REPORT_COLUMNS.indexOf('#'), REPORT_COLUMNS.indexOf('Error code')];

/**
 * A broadcast's report: every recipient with where it ended, as CSV or XLSX for a spreadsheet. For
 * admins and the broadcast's author, since it lists the whole audience's phones. Read a page at a
 * time, so a broadcast of any size costs the same memory.
 */
export function createBroadcastReports(deps: { db: Db }) {
  return {
    async open(
      session: Session,
      broadcastId: string,
      format: ReportFormat,
    ): Promise<{ fileName: string; contentType: string; body: AsyncIterable<string | Buffer> | Readable }> {
      const b = await findReportedBroadcast(deps.db, session.accountId, broadcastId);
      if (!b) throw notFound('No such broadcast in this account.');
      if (session.role !== 'admin' && Number(b.created_by) !== session.userId) {
        throw forbidden('report_not_yours', 'Only an administrator or the author of this broadcast can download its report.');
      }
      const name =
        b.name
          .replace(/[^\p{L}\p{N} _-]+/gu, '')
          .trim()
          .slice(0, 80) || 'broadcast';
      async function* pages() {
        for (let after = 0; ;) {
          const rows = await reportPage(deps.db, broadcastId, after, PAGE);
          if (rows.length) yield rows.map(reportValues);
          if (rows.length < PAGE) return;
          after = rows.at(-1)!.seq;
        }
      }
      const fileName = `${name} report.${format}`;
      const contentType = REPORT_FORMATS[format];
      if (format === 'xlsx')
        return { fileName, contentType, body: xlsxWorkbook({ sheetName: 'Report', header: REPORT_COLUMNS, rows: pages(), numeric: NUMERIC_COLUMNS }) };
      async function* csv() {
        // A byte-order mark: spreadsheets then read the names as UTF-8.
        yield '\uFEFF' + csvLine(REPORT_COLUMNS);
        for await (const page of pages()) yield page.map(csvLine).join('');
      }
      return { fileName, contentType, body: csv() };
    },
  };
}

export type BroadcastReports = ReturnType<typeof createBroadcastReports>;
