import { z } from 'zod/mini';

/**
 * What the loader reports with each session: the host's Kommo plan (SPEC §3), taken from admins only.
 * Nothing about the user: who they are comes from Kommo's signed token, their name from Kommo's API.
 */
export const SessionRequest = z.object({
  kommoPlan: z.optional(
    z.object({
      name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
      paidTill: z.optional(z.iso.datetime({ offset: true })),
    }),
  ),
});
export type SessionRequest = z.infer<typeof SessionRequest>;

export const Role = z.enum(['admin', 'agent']);
export type Role = z.infer<typeof Role>;

export const SessionResponse = z.object({
  token: z.string(),
  expiresAt: z.iso.datetime(),
  accountId: z.string(),
  userId: z.int(),
  role: Role,
});
export type SessionResponse = z.infer<typeof SessionResponse>;
