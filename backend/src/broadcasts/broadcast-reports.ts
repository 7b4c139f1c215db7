import type { Session } from '../auth/session-token';
import { forbidden, notFound } from '../http/app-error';
import type { Db } from '../store/db';
import { csvLine, REPORT_COLUMNS, reportValues } from './broadcast-report';
import { findReportedBroadcast, reportPage } from './broadcast-report-store';

const PAGE = 1000;

/**
 * A broadcast's report: every recipient with where it ended, as CSV for a spreadsheet. For admins
 * and the broadcast's author, since it lists the whole audience's phones. Read a page at a time,
 * so a broadcast of any size costs the same memory.
 */
export function createBroadcastReports(deps: { db: Db }) {
  return {
    async open(session: Session, broadcastId: string): Promise<{ fileName: string; chunks: AsyncIterable<string> }> {
      const b = await findReportedBroadcast(deps.db, session.accountId, broadcastId);
      if (!b) throw notFound('No such broadcast in this account.');
      if (session.role !== 'admin' && Number(b.created_by) !== session.userId) {
        throw forbidden('report_not_yours', 'Only an administrator or the author of this broadcast can download its report.');
      }
      const fileName = `${b.name.replace(/[^\p{L}\p{N} _-]+/gu, '').trim().slice(0, 80) || 'broadcast'} report.csv`;
      async function* chunks() {
        // A byte-order mark: spreadsheets then read the names as UTF-8.
        yield '\uFEFF' + csvLine(REPORT_COLUMNS);
        for (let after = 0; ; ) {
          const rows = await reportPage(deps.db, broadcastId, after, PAGE);
          if (rows.length) yield rows.map((r) => csvLine(reportValues(r))).join('');
          if (rows.length < PAGE) return;
          after = rows.at(-1)!.seq;
        }
      }
      return { fileName, chunks: chunks() };
    },
  };
}

export type BroadcastReports = ReturnType<typeof createBroadcastReports>;
