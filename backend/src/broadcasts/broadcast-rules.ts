import type { ParameterSource, TemplateRefusal } from '../../../contract/broadcasts';
import { classify } from '../whatsapp/cloud-api';
import type { Candidate } from './audience';
import { findForbiddenWords } from './forbidden-words';
import { hasOptOutLine, isUnsubscribeButton } from './opt-out-phrases';
import { DAY_MS } from '../clock';

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
 * (we always send it with our unsubscribe payload), or a footer or body line with an opt-out phrase
 * of the template's language. Null when the template has neither — such a template cannot be broadcast.
 */
export function unsubscribePath(t: TemplateRow): { kind: 'button'; index: number } | { kind: 'line' } | null {
  const index = t.buttons.findIndex((b) => b.type === 'QUICK_REPLY' && isUnsubscribeButton(b.text));
  if (index >= 0) return { kind: 'button', index };
  if (hasOptOutLine([t.footer_text ?? '', t.body_text], t.language)) return { kind: 'line' };
  return null;
}

/** The texts of the template itself that the customer reads (checked for forbidden words). */
export const templateTexts = (t: TemplateRow) => [t.body_text, t.footer_text ?? '', ...t.buttons.map((b) => b.text)];

/**
 * Whether a template can carry a broadcast, before anything is mapped, and if not why: the reasons
 * are the error codes a draft with it is refused with. What depends on the mapping (parameters,
 * the header's file link, fixed values) is checked when the draft is made.
 */
export function templateVerdict(
  t: TemplateRow,
  forbiddenWords?: Record<string, string[]>,
): { qualifies: true; unsubscribe: NonNullable<ReturnType<typeof unsubscribePath>> } | { qualifies: false; reason: TemplateRefusal; words: string[] } {
  if (t.status !== 'APPROVED') return { qualifies: false, reason: 'template_not_approved', words: [] };
  const unsubscribe = unsubscribePath(t);
  if (!unsubscribe) return { qualifies: false, reason: 'unsubscribe_missing', words: [] };
  const words = findForbiddenWords(templateTexts(t), t.language, forbiddenWords);
  if (words.length) return { qualifies: false, reason: 'forbidden_words', words };
  return { qualifies: true, unsubscribe };
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
const PER_USER_LIMIT_WAIT_MS = DAY_MS;

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
