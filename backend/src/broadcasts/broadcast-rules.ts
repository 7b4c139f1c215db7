import type { ParameterSource } from '../../../contract/broadcasts';
import { classify } from '../whatsapp/cloud-api';
import { mentionsStop } from '../whatsapp/message-status';
import type { Candidate } from './audience';

/** The template as synced from Meta, with the parts a broadcast checks. */
export interface TemplateRow {
  name: string;
  language: string;
  status: string;
  category: string | null;
  body_text: string;
  param_count: number;
  header_format: string | null;
  footer_text: string | null;
  buttons: { type: string; text: string }[];
}

/**
 * How a customer stops this template's broadcasts (SPEC §6): its quick-reply button that says so
 * (we always send it with our unsubscribe payload), or a footer or body line that says so. Null
 * when the template has neither — such a template cannot be broadcast.
 */
export function unsubscribePath(t: TemplateRow): { kind: 'button'; index: number } | { kind: 'line' } | null {
  const index = t.buttons.findIndex((b) => b.type === 'QUICK_REPLY' && mentionsStop(b.text));
  if (index >= 0) return { kind: 'button', index };
  if (mentionsStop(t.footer_text ?? '') || mentionsStop(t.body_text)) return { kind: 'line' };
  return null;
}

/** The value a parameter takes for one recipient; empty when the CRM field is empty. */
export function parameterValue(source: ParameterSource, c: Candidate, waId: string): string {
  if ('value' in source) return source.value;
  const contact = c.contact;
  switch (source.field) {
    case 'name':
      return contact.name.trim();
    case 'first_name':
      return (contact.firstName || contact.name.split(/\s+/)[0] || '').trim();
    case 'last_name':
      return contact.lastName.trim();
    case 'lead_name':
      return (c.lead?.name ?? '').trim();
    case 'phone':
      return `+${waId}`;
    default:
      return (contact.fields[source.field.slice(3)] ?? '').trim();
  }
}

/** The template body as the customer reads it. */
export function renderBody(body: string, parameters: string[]): string {
  return body.replace(/\{\{\s*(\d+)\s*\}\}/g, (whole, n: string) => parameters[Number(n) - 1] ?? whole);
}

/** Meta's per-user marketing limit: the customer got enough marketing for now; sending again within 24 h can block them for a day. */
const PER_USER_MARKETING_LIMIT = 131049;
const PER_USER_LIMIT_WAIT_MS = 24 * 3600_000;

/** A broadcast failure worth sending again later: rate limits, transient errors, the per-user marketing cap (after 24 h). */
export function isRetryableFailure(code: number): boolean {
  const c = classify(code);
  return c === 'retryable' || c === 'rate_limit' || code === PER_USER_MARKETING_LIMIT;
}

/** The earliest a failed recipient may be sent again, when the failure sets one: 24 h after the per-user marketing cap refused it. */
export function retryNotBefore(code: number, failedAt: Date): Date | null {
  return code === PER_USER_MARKETING_LIMIT ? new Date(failedAt.getTime() + PER_USER_LIMIT_WAIT_MS) : null;
}

/** Whether `at` falls in the quiet hours (HH:MM to HH:MM, wrapping past midnight) of the zone. */
export function inQuietHours(at: Date, zone: string, quiet: { from: string; to: string } | null): boolean {
  if (!quiet) return false;
  const local = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  return quiet.from < quiet.to ? local >= quiet.from && local < quiet.to : local >= quiet.from || local < quiet.to;
}
