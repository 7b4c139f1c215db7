import { z } from 'zod';
import { badRequest, type ErrorIssue } from './app-error';

/** Parses untrusted input with a zod schema; a mismatch becomes a 400 naming each field at fault. */
export function parse<S extends z.core.$ZodType>(schema: S, input: unknown, where: 'body' | 'query' | 'params' | 'headers'): z.infer<S> {
  // A NUL character fits no field and PostgreSQL cannot store it in text or JSON: refused everywhere.
  const nul = findNul(input, [where]);
  if (nul)
    throw badRequest('invalid_characters', `The request ${where} contains a NUL character (at ${nul}).`, [
      { path: nul, message: 'must not contain NUL (\\u0000)', problem: 'nul_character' },
    ]);
  const result = z.safeParse(schema, input);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) => fieldIssues(issue, input, where));
  throw badRequest('invalid_request', `The request ${where} is not valid: ${issues.map((i) => i.path).join(', ')}.`, issues);
}

/**
 * A zod issue as the error body names it: the English message for programs, and the problem with
 * its limit for the widget's sentence. An unknown key becomes one issue per key, at the key.
 */
function fieldIssues(issue: z.core.$ZodIssue, input: unknown, where: string): ErrorIssue[] {
  const path = [where, ...issue.path.map(String)].join('.');
  switch (issue.code) {
    case 'too_big':
    case 'too_small': {
      const limit = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
      return [{ path, message: issue.message, problem: issue.code, limit, origin: issue.origin, ...(issue.inclusive === false ? { exclusive: true } : {}) }];
    }
    case 'invalid_format':
      return [{ path, message: issue.message, problem: issue.code, format: issue.format }];
    case 'invalid_value':
      return [{ path, message: issue.message, problem: issue.code, values: issue.values.map(String) }];
    case 'invalid_type':
      return [{ path, message: issue.message, problem: issue.code, ...(valueAt(input, issue.path) === undefined ? { missing: true } : {}) }];
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: `${path}.${key}`, message: issue.message, problem: issue.code }));
    default:
      return [{ path, message: issue.message, problem: issue.code }];
  }
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The path of the first string (or key) holding a NUL character, if any. */
function findNul(value: unknown, path: string[], depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') : undefined;
  if (depth > 20 || value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return [...path, '(key)'].join('.');
    const found = findNul(item, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}
