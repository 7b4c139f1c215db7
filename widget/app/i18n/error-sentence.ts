import type { FieldIssue } from '../../../contract/error';
import type { Translate } from './translate';

/**
 * The i18n keys of a form's field labels, by the field's path in the request without its part
 * (`email`, `parameters.*.value`); `*` stands for any index, and the label gets it as `{n}` (from 1).
 */
export type FieldLabels = Record<string, string>;

/** Says an error in the user's language; what a model stores to show. */
export type Describe = (error: unknown, labels?: FieldLabels) => string;

/** The codes the widget itself raises, next to the backend's `ERROR_CODES`: each has a sentence too. */
export const CLIENT_ERROR_CODES = ['unreachable', 'http_error', 'stream_failed', 'unknown'] as const;

interface CodedError {
  code: string;
  issues?: FieldIssue[];
  params?: Record<string, string | number>;
}

function coded(error: unknown): CodedError {
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') return error as CodedError;
  return { code: 'unknown' };
}

/**
 * An error as a sentence of the user's language (SPEC §8): the backend's code says what happened,
 * each field problem names the field by its label. The backend's English `message` is never shown.
 */
export function describeError(error: unknown, t: Translate, labels: FieldLabels = {}): string {
  const { code, issues = [], params = {} } = coded(error);
  if (issues.length && (code === 'invalid_request' || code === 'invalid_characters')) {
    return issues.map((issue) => describeIssue(issue, t, labels)).join(' ');
  }
  const key = `errors.${code}`;
  const text = t(key, params);
  return text === key ? t('errors.unknown') : text;
}

/** Each field at fault, by its path without the request part (`email`), as a sentence naming it. */
export function describeFields(error: unknown, t: Translate, labels: FieldLabels = {}): Record<string, string> {
  const { issues = [] } = coded(error);
  return Object.fromEntries(issues.map((issue) => [fieldPath(issue.path), describeIssue(issue, t, labels)]));
}

const fieldPath = (path: string) => path.replace(/^(body|query|params|headers)\.?/, '');

/** The field's label: its form's own, or the generic one when the form did not name it. */
function labelOf(path: string, t: Translate, labels: FieldLabels): string {
  const parts = fieldPath(path).split('.');
  for (const [pattern, key] of Object.entries(labels)) {
    const want = pattern.split('.');
    if (want.length !== parts.length) continue;
    const indexes: number[] = [];
    if (want.every((w, i) => (w === '*' ? /^\d+$/.test(parts[i]!) && indexes.push(Number(parts[i])) : w === parts[i]))) {
      return t(key, { n: (indexes[0] ?? 0) + 1 });
    }
  }
  return t('errors.field.unnamed', { name: fieldPath(path) || path });
}

const COUNTED: Record<string, string> = { string: 'string', array: 'array', set: 'array', number: 'number', int: 'number', bigint: 'number' };
const FORMATS = new Set(['email', 'url', 'datetime', 'date', 'time']);

function describeIssue(issue: FieldIssue, t: Translate, labels: FieldLabels): string {
  const field = labelOf(issue.path, t, labels);
  const limit = issue.limit ?? 0;
  const counted = COUNTED[issue.origin ?? ''] ?? 'other';
  switch (issue.problem) {
    case 'too_big':
      return t(`errors.field.too_big.${counted}`, { field, limit });
    case 'too_small':
      if (counted === 'string' && limit <= 1) return t('errors.field.required', { field });
      return t(`errors.field.too_small.${counted === 'number' && issue.exclusive ? 'number_exclusive' : counted}`, { field, limit });
    case 'invalid_format':
      return t(`errors.field.invalid_format.${FORMATS.has(issue.format ?? '') ? issue.format! : 'other'}`, { field });
    case 'invalid_type':
      return t(issue.missing ? 'errors.field.required' : 'errors.field.invalid_type', { field });
    case 'invalid_value':
    case 'unrecognized_keys':
    case 'nul_character':
      return t(`errors.field.${issue.problem}`, { field });
    default:
      return t('errors.field.invalid', { field });
  }
}
