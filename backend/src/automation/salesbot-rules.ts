import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Kommo's `widget_request` (the Salesbot step the loader's `onSalesbotDesignerSave` writes): a POST
 * with the signed `token`, the step's `data` (bot variables already filled in by Kommo) and the
 * `return_url` to continue the bot at. Kommo sends JSON; the form encoding is accepted too.
 */
export const SalesbotCall = z.object({
  token: z.string().min(1).max(4096),
  return_url: z.string().url().max(2048),
  data: z.object({
    template: z
      .string()
      .trim()
      .regex(/^[a-z0-9_]{1,512}$/, 'must be an approved template name'),
    language: z
      .string()
      .trim()
      .regex(/^[a-z]{2}(_[A-Z]{2})?$/, 'must be a template language such as en_US'),
    /** The template's body parameters, in order, one per line (Salesbot fills bot variables into them). */
    parameters: z.union([z.array(z.string().max(1024)).max(20), z.string().max(20_000)]).default([]),
    /** Kommo's {{contact.id}} and {{lead.id}}: the customer is the contact, or else the lead's main contact. */
    contact_id: z.union([z.coerce.number().int().positive(), z.literal('')]).optional(),
    lead_id: z.union([z.coerce.number().int().positive(), z.literal('')]).optional(),
    /** Our number id; empty = the account's first connected number. */
    number_id: z.string().trim().max(100).optional(),
  }),
});
export type SalesbotCall = z.infer<typeof SalesbotCall>;

/** The claims of the `widget_request` token we rely on: who it is for, and that it is still fresh. */
export const SalesbotClaims = z.object({
  account_id: z.coerce.number().int().positive(),
  exp: z.number(),
  /** Our integration's id: a token without it, or with another integration's, is refused. */
  client_uuid: z.string().optional(),
  /** The token's own id (Kommo's tokens carry one): one token opens at most one step. */
  jti: z.string().min(1).max(200).optional(),
});

/**
 * What a step remembers of the token that opened it, so the token opens no other: its `jti`, or,
 * without one, a hash of its signed part (header and claims; not the signature, whose text can be
 * written more than one way for the same bytes).
 */
export function tokenIdOf(token: string, claims: { jti?: string }): string {
  if (claims.jti) return `jti:${claims.jti}`;
  const signed = token.split('.').slice(0, 2).join('.');
  return `sha256:${createHash('sha256').update(signed).digest('hex')}`;
}

/** The step's parameters as a list: given as a list, or as text with one parameter per line. */
export function parametersOf(value: string[] | string): string[] {
  const list = typeof value === 'string' ? (value.trim() ? value.split(/\r?\n/) : []) : value;
  return list.map((p) => p.trim());
}

/**
 * Where the bot continues: Kommo's `return_url` is `https://<account>.kommo.com/api/v4/salesbot/<bot
 * id>/continue/<continue id>`. Only the two ids are taken from it; the call goes to the account's own
 * Kommo address with our token, so a forged URL cannot make us send our token anywhere else.
 */
export function continueTarget(returnUrl: string): { botId: number; continueId: string } | null {
  let path: string;
  try {
    path = new URL(returnUrl).pathname;
  } catch {
    return null;
  }
  const m = /^\/api\/v4\/salesbot\/(\d{1,15})\/continue\/([A-Za-z0-9_-]{1,100})\/?$/.exec(path);
  return m ? { botId: Number(m[1]), continueId: m[2]! } : null;
}

/** How the step ends; the step's exits in the designer are these three. */
export type SalesbotOutcome = 'sent' | 'failed' | 'opted_out';
export const SALESBOT_EXITS: readonly SalesbotOutcome[] = ['sent', 'failed', 'opted_out'];
