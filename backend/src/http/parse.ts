import { z } from 'zod';
import { badRequest } from './app-error';

/** Parses untrusted input with a zod schema; a mismatch becomes a 400 naming each field at fault. */
export function parse<S extends z.core.$ZodType>(schema: S, input: unknown, where: 'body' | 'query' | 'params' | 'headers'): z.infer<S> {
  // A NUL character fits no field and PostgreSQL cannot store it in text or JSON: refused everywhere.
  const nul = findNul(input, [where]);
  if (nul) throw badRequest('invalid_characters', `The request ${where} contains a NUL character (at ${nul}).`, [{ path: nul, message: 'must not contain NUL (\\u0000)' }]);
  const result = z.safeParse(schema, input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw badRequest('invalid_request', `The request ${where} is not valid: ${issues.map((i) => i.path).join(', ')}.`, issues);
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
