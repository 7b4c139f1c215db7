import { z } from 'zod/mini';
import { FIELD_PROBLEMS } from './error-codes';

/**
 * One field at fault. `message` is English for programs and logs; `problem` and its limit let the
 * widget say the same in the user's language, naming the field by its label (SPEC §8).
 */
export const FieldIssue = z.object({
  /** Where the field is, from the part of the request (`body.email`, `query.limit`, `body.parameters.0.value`). */
  path: z.string(),
  message: z.string(),
  problem: z.optional(z.enum(FIELD_PROBLEMS)),
  /** The bound a too_big / too_small problem broke, and what it counts (characters of a string, items of an array, a number…). */
  limit: z.optional(z.number()),
  origin: z.optional(z.string()),
  /** A too_small bound the value must exceed, not reach (`> 0`). */
  exclusive: z.optional(z.boolean()),
  /** The format an invalid_format value missed (email, url, regex, datetime…). */
  format: z.optional(z.string()),
  /** The values an invalid_value problem allows. */
  values: z.optional(z.array(z.string())),
  /** The field was absent (an invalid_type problem where nothing was sent). */
  missing: z.optional(z.boolean()),
});
export type FieldIssue = z.infer<typeof FieldIssue>;

/** The body of every refused request (SPEC §8). */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.optional(z.array(FieldIssue)),
    /** The figures of the sentence (`{ plan: 'Base' }`, `{ words: 'casino' }`), for a client that says it in another language. */
    params: z.optional(z.record(z.string(), z.union([z.string(), z.number()]))),
    requestId: z.optional(z.string()),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
