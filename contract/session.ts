import { z } from 'zod';

/** What the loader reports with each session: who is signed in and the host's Kommo plan (SPEC §3). */
export const SessionRequest = z.object({
  user: z.object({ name: z.string().trim().min(1).max(200) }).optional(),
  kommoPlan: z
    .object({
      name: z.string().trim().min(1).max(100),
      paidTill: z.iso.datetime({ offset: true }).optional(),
    })
    .optional(),
});
export type SessionRequest = z.infer<typeof SessionRequest>;

export const Role = z.enum(['admin', 'agent']);
export type Role = z.infer<typeof Role>;

export const SessionResponse = z.object({
  token: z.string(),
  expiresAt: z.iso.datetime(),
  accountId: z.string(),
  userId: z.number().int(),
  role: Role,
});
export type SessionResponse = z.infer<typeof SessionResponse>;
