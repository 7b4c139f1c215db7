import type { ExclusionReason } from '../../../contract/broadcasts';
import type { IdGenerator } from '../ids';
import type { Queryable } from '../store/db';
import { normalisePhone } from '../whatsapp/phone';
import type { Candidate } from './audience';
import { parameterValue } from './broadcast-rules';
import { insertRecipients, type BroadcastRow, type NewRecipient } from './broadcast-store';
import { forbiddenWordsFinder } from './forbidden-words';

const PAGE = 250;
const PAGE_INSERT = 200;

/** Phones given directly, as audience pages: a recipient with no CRM record behind it. */
export async function* phonePages(phones: string[]): AsyncGenerator<Candidate[]> {
  for (let i = 0; i < phones.length; i += PAGE) {
    yield phones
      .slice(i, i + PAGE)
      .map((phone) => ({ contact: { id: 0, name: '', firstName: '', lastName: '', phones: [phone], fields: {} }, lead: undefined }));
  }
}

/**
 * One recipient per phone of a candidate, excluded when it cannot be sent: no phone, a number that
 * is not valid, a parameter with no value, or forbidden words in the recipient's own CRM values (the
 * fixed values were checked with the draft).
 */
function recipient(
  ids: IdGenerator,
  b: BroadcastRow,
  c: Candidate,
  raw: string | null,
  country: string | undefined,
  seq: number,
  forbidden: (texts: string[]) => string[],
): NewRecipient {
  const normal = raw ? normalisePhone(raw, country) : null;
  const waId = normal && 'waId' in normal ? normal.waId : null;
  const parameters = waId ? b.parameters.map((p) => parameterValue(p, c, waId)) : [];
  const mapped = parameters.filter((_, i) => 'field' in b.parameters[i]!);
  const exclusion: ExclusionReason | null = !raw
    ? 'no_phone'
    : !waId
      ? 'invalid_number'
      : parameters.some((p) => p === '')
        ? 'empty_parameter'
        : forbidden(mapped).length
          ? 'forbidden_words'
          : null;
  return [
    ids(),
    b.id,
    b.account_id,
    seq,
    waId,
    raw,
    c.contact.id || null,
    c.lead?.id ?? null,
    c.lead?.responsibleUserId ?? null,
    c.contact.name || null,
    JSON.stringify(parameters),
    exclusion ? 'excluded' : 'queued',
    exclusion,
  ];
}

/** Reads the audience into recipient rows, a page at a time; duplicates merge on the phone. */
export async function fillRecipients(
  db: Queryable,
  deps: { ids: IdGenerator; forbiddenWords?: Record<string, string[]> },
  b: BroadcastRow,
  pages: AsyncIterable<Candidate[]>,
  selected: number,
  country: string | undefined,
): Promise<Required<BroadcastRow['stats']>> {
  let seq = 0;
  let phones = 0;
  let stored = 0;
  const forbidden = forbiddenWordsFinder(b.template_language, deps.forbiddenWords);
  for await (const page of pages) {
    const rows: NewRecipient[] = [];
    for (const candidate of page) {
      const list = candidate.contact.phones.length ? candidate.contact.phones : [null];
      for (const raw of list) {
        phones++;
        rows.push(recipient(deps.ids, b, candidate, raw, country, ++seq, forbidden));
      }
    }
    for (let i = 0; i < rows.length; i += PAGE_INSERT) stored += await insertRecipients(db, rows.slice(i, i + PAGE_INSERT));
  }
  // A phone already stored for this broadcast is not stored again: that is a merge.
  return { selected, phones, merged: phones - stored };
}
