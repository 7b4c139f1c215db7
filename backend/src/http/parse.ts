import type { z } from 'zod';
import { badRequest } from './app-error';

/** Parses untrusted input with a zod schema; a mismatch becomes a 400 naming each field at fault. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, where: 'body' | 'query' | 'params' | 'headers'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw badRequest('invalid_request', `The request ${where} is not valid: ${issues.map((i) => i.path).join(', ')}.`, issues);
}
