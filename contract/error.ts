import { z } from 'zod/mini';

/** The body of every refused request (SPEC §8). */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
    requestId: z.optional(z.string()),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
