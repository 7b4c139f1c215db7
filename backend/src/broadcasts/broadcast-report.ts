import type { ExclusionReason } from '../../../contract/broadcasts';

/** One recipient of a broadcast as the report reads it from the store. */
export interface ReportRow {
  seq: number;
  name: string | null;
  phone: string | null;
  kommo_lead_id: string | number | null;
  kommo_contact_id: string | number | null;
  state: 'excluded' | 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled';
  exclusion: ExclusionReason | null;
  message_status: string | null;
  error_code: number | null;
  error_title: string | null;
  sent_at: Date | string | null;
  replied_at: Date | string | null;
  reply_text: string | null;
  opted_out_at: Date | string | null;
}

export const REPORT_COLUMNS = [
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
] as const;

/**
 * Where a recipient ended, in the words of the widget's progress counts: excluded (and why), queued,
 * sent, delivered or read (the furthest status Meta reported), failed, cancelled.
 */
export function recipientStatus(r: Pick<ReportRow, 'state' | 'message_status'>): string {
  if (r.state === 'sending') return 'queued';
  if (r.state !== 'sent') return r.state;
  return r.message_status === 'delivered' || r.message_status === 'read' ? r.message_status : 'sent';
}

const iso = (v: Date | string | null) => (v === null ? '' : new Date(v).toISOString());

/** A report line's values, in `REPORT_COLUMNS` order. An opt-out counts only when it came after the send. */
export function reportValues(r: ReportRow): string[] {
  // Meta stamps an opt-out in whole seconds: one in the second of the send came after it.
  const optedOut =
    r.opted_out_at !== null && (r.sent_at === null || new Date(r.opted_out_at).getTime() >= Math.floor(new Date(r.sent_at).getTime() / 1000) * 1000);
  return [
    String(r.seq),
    r.name ?? '',
    r.phone ?? '',
    r.kommo_lead_id === null ? '' : String(r.kommo_lead_id),
    r.kommo_contact_id === null ? '' : String(r.kommo_contact_id),
    recipientStatus(r),
    r.error_code === null ? '' : String(r.error_code),
    r.state === 'excluded' ? (r.exclusion ?? '') : (r.error_title ?? ''),
    iso(r.sent_at),
    iso(r.replied_at),
    r.reply_text ?? '',
    optedOut ? iso(r.opted_out_at) : '',
  ];
}

/**
 * One CSV line (RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled). A
 * value a spreadsheet would run as a formula — a customer's name or reply starting with =, +, -, @,
 * tab or carriage return — is prefixed with an apostrophe, so opening the report runs nothing; a
 * phone number in E.164 (a plus and digits only) is a number to a spreadsheet and stays as it is.
 */
export function csvLine(values: readonly string[]): string {
  return (
    values
      .map((v) => {
        const safe = /^[=+\-@\t\r]/.test(v) && !/^\+\d+$/.test(v) ? `'${v}` : v;
        return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
      })
      .join(',') + '\r\n'
  );
}
