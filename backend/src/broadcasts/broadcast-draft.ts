import { FORBIDDEN_CONSENT, type CreateBroadcastInput, type TemplateRefusal } from '../../../contract/broadcasts';
import { AppError, badRequest, notFound } from '../http/app-error';
import type { Queryable } from '../store/db';
import { templateVerdict, type TemplateRow } from './broadcast-rules';
import { findSavedAudience, findTemplate, numbersOf } from './broadcast-store';
import { findForbiddenWords, linkText } from './forbidden-words';

/** A draft that may be made: its audience, its numbers' WABA, and a template that can carry a broadcast with this mapping. */
export interface CheckedDraft {
  source: 'leads' | 'contacts' | 'phones';
  /** The CRM ids of the audience (none for a list of phones). */
  ids: number[];
  wabaId: string;
  template: TemplateRow;
  unsubscribe: { kind: 'button'; index: number } | { kind: 'line' };
  /** The template's media header format, when it has one. */
  mediaHeader: string | null;
  scheduledAt: Date | null;
}

/** The error a draft with a template that cannot carry a broadcast is refused with. */
function refusal(t: TemplateRow, reason: TemplateRefusal, words: string[]): AppError {
  switch (reason) {
    case 'template_not_approved':
      return new AppError(reason, `The template “${t.name}” is ${t.status.toLowerCase()} at Meta and cannot be sent.`, 409);
    case 'unsubscribe_missing':
      return new AppError(
        reason,
        `The template “${t.name}” gives customers no way to unsubscribe. Use a template with an “Unsubscribe” quick-reply button or a “Reply STOP to unsubscribe” line.`,
        422,
      );
    case 'forbidden_words':
      return new AppError(
        reason,
        `The template “${t.name}” contains forbidden words: ${words.join(', ')}. Choose another template.`,
        422,
        [{ path: 'body.template', message: words.join(', '), problem: 'custom' }],
        { words: words.join(', ') },
      );
  }
}

/**
 * Whether a broadcast may be drafted as asked (SPEC §6), before anything is stored: consent that
 * allows broadcasts, numbers of one WABA, an approved template with a way to unsubscribe and no
 * forbidden words, its parameters all mapped, a media header's link given, and a time not past.
 */
export async function checkDraft(
  db: Queryable,
  accountId: string,
  input: CreateBroadcastInput,
  rules: { forbiddenWords?: Record<string, string[]>; now: Date },
): Promise<CheckedDraft> {
  if (FORBIDDEN_CONSENT.has(input.consentSource)) {
    throw new AppError(
      'consent_not_allowed',
      'Purchased, rented or scraped contact lists may not receive WhatsApp broadcasts. Send only to customers who agreed to hear from you.',
      422,
    );
  }
  let source: CheckedDraft['source'];
  let ids: number[];
  if ('phones' in input.audience) {
    source = 'phones';
    ids = [];
  } else if ('savedAudienceId' in input.audience) {
    const saved = await findSavedAudience(db, accountId, input.audience.savedAudienceId);
    if (!saved) throw notFound('No such saved audience in this account.');
    ({ source, ids } = saved);
  } else {
    ({ source, ids } = input.audience);
  }
  const numbers = await numbersOf(db, accountId, input.numberIds);
  if (numbers.length !== new Set(input.numberIds).size)
    throw badRequest('unknown_number', 'One of the chosen WhatsApp numbers is not connected to this account.');
  const wabas = new Set(numbers.map((n) => n.waba_id));
  if (wabas.size !== 1)
    throw badRequest('numbers_not_same_waba', 'The chosen numbers must belong to one WhatsApp Business Account (templates are per account).');
  const wabaId = [...wabas][0]!;
  const template = await findTemplate(db, accountId, wabaId, input.template.name, input.template.language);
  if (!template)
    throw badRequest(
      'template_unknown',
      `There is no template “${input.template.name}” in ${input.template.language} for these numbers. Refresh the templates if it was just approved.`,
    );
  const verdict = templateVerdict(template, rules.forbiddenWords);
  if (!verdict.qualifies) throw refusal(template, verdict.reason, verdict.words);
  if (input.parameters.length !== Number(template.param_count)) {
    throw badRequest(
      'template_parameters',
      `The template “${template.name}” takes ${template.param_count} parameter${Number(template.param_count) === 1 ? '' : 's'}; ${input.parameters.length} were mapped.`,
    );
  }
  const mediaHeader = template.header_format && template.header_format !== 'TEXT' ? template.header_format : null;
  if (mediaHeader && !input.headerMediaUrl)
    throw badRequest('header_media_required', `The template “${template.name}” has a ${mediaHeader.toLowerCase()} header: give a link to the file.`);
  // What every recipient reads the same: the fixed values, the name, and the header's link (its
  // words can show to the customer). Each recipient's own values are checked as the audience is read.
  const fixed = input.parameters.flatMap((p) => ('value' in p ? [p.value] : []));
  const hits = findForbiddenWords([...fixed, input.name], template.language, rules.forbiddenWords);
  if (hits.length)
    throw new AppError('forbidden_words', `The broadcast contains forbidden words: ${hits.join(', ')}. Change the text or the template.`, 422, [
      { path: 'body.parameters', message: hits.join(', ') },
    ]);
  const inLink = mediaHeader && input.headerMediaUrl ? findForbiddenWords([linkText(input.headerMediaUrl)], template.language, rules.forbiddenWords) : [];
  if (inLink.length)
    throw new AppError(
      'forbidden_words',
      `The header's link contains forbidden words: ${inLink.join(', ')}. Use another file or link.`,
      422,
      [{ path: 'body.headerMediaUrl', message: inLink.join(', '), problem: 'custom' }],
      { words: inLink.join(', ') },
    );
  const scheduledAt = input.scheduledAt ? new Date(input.scheduledAt) : null;
  if (scheduledAt && scheduledAt.getTime() < rules.now.getTime() - 60_000)
    throw badRequest('schedule_in_past', 'The scheduled time has passed; choose a later time or launch now.');
  return { source, ids, wabaId, template, unsubscribe: verdict.unsubscribe, mediaHeader, scheduledAt };
}
