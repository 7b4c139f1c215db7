import { z } from 'zod/mini';
import { CardChat } from './whatsapp';

/**
 * What the loader reports with each session: the host's Kommo plan (SPEC §3), taken from admins only.
 * Nothing about the user: who they are comes from Kommo's signed token, their name from Kommo's API.
 */
export const SessionRequest = z.object({
  /**
   * The card the loader opens with the page (docs/decisions/040): its phones, as Kommo has them. The
   * answer then carries that card's chat (`cardChat`) as `POST /card-chat` answers them, so a freshly
   * loaded card shows its chat after one call to us, not two. Phones that call would refuse (over 50,
   * a phone of over 40 characters) bring no chat: the card asks, and says why.
   */
  card: z.optional(z.object({ phones: z.array(z.string()).check(z.maxLength(1000)) })),
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

/** The exchange's answer: the session, and the card's chat when `card` was given and could be read (else the card asks for it). */
export const SessionAnswer = z.object({ ...SessionResponse.shape, cardChat: z.optional(CardChat) });
export type SessionAnswer = z.infer<typeof SessionAnswer>;
