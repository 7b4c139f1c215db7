import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * The Chats API's rules (reference/kommo-platform.md §6), pure: how our requests are signed, how
 * Kommo's hook is checked and read, and what a WhatsApp status is in Kommo's chat.
 */

/** RFC 2822 as amojo wants it: `Thu, 01 Jan 2023 12:00:00 +0000`. */
export function rfc2822(at: Date): string {
  return at.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * The headers of a signed amojo request: exactly Date, Content-Type, Content-MD5 (lowercase hex of
 * the body bytes; of the empty string when there is none) and X-Signature = lowercase hex
 * HMAC-SHA1 (channel secret) of `METHOD\nmd5\ncontent-type\ndate\npath`.
 */
export function signAmojoRequest(input: { method: string; path: string; body: string; secret: string; at: Date }): Record<string, string> {
  const contentType = 'application/json';
  const md5 = createHash('md5').update(input.body, 'utf8').digest('hex');
  const date = rfc2822(input.at);
  const signature = createHmac('sha1', input.secret).update([input.method.toUpperCase(), md5, contentType, date, input.path].join('\n')).digest('hex');
  return { Date: date, 'Content-Type': contentType, 'Content-MD5': md5, 'X-Signature': signature };
}

/** Kommo's outgoing hook: X-Signature is hex HMAC-SHA1 of the raw body, keyed with the channel secret. */
export function hookSignatureValid(raw: Buffer, signature: string | undefined, secret: string): boolean {
  const expected = createHmac('sha1', secret).update(raw).digest();
  const given = Buffer.from(signature ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The v2 outgoing hook: what we need of it (Kommo sends more). */
export const ChannelHook = z.object({
  account_id: z.string().min(1),
  time: z.number().int().optional(),
  message: z.object({
    sender: z.object({ id: z.string().min(1), name: z.string().nullish() }),
    receiver: z.object({ id: z.string().nullish(), client_id: z.string().nullish(), phone: z.string().nullish() }).nullish(),
    conversation: z.object({ id: z.string().min(1), client_id: z.string().nullish() }),
    message: z.object({ id: z.string().min(1), type: z.string().min(1), text: z.string().nullish() }),
  }),
});
export type ChannelHook = z.infer<typeof ChannelHook>;

/** amojo's `delivery_status`: 1 delivered, 2 read, -1 failed; a WhatsApp `sent` has no counterpart. */
export function deliveryStatusOf(status: string): 1 | 2 | -1 | undefined {
  return status === 'delivered' ? 1 : status === 'read' ? 2 : status === 'failed' ? -1 : undefined;
}

/** amojo's error code for a failure described in words (`error`). */
export const DELIVERY_ERROR_OTHER = 905;

/** The customer's id in our imports: stable per WhatsApp id, never a Kommo id. */
export const customerRef = (waId: string) => `wa-${waId}`;
