import { z } from 'zod/mini';

/** An account holds at most this many quick replies of its own, and each user as many again. */
export const QUICK_REPLY_LIMIT = 200;

/**
 * A quick reply as an agent or admin saves it (SPEC §5): a shortcut found with "/" in the composer
 * and a text with CRM placeholders — {{contact.name}}, {{contact.first_name}},
 * {{contact.last_name}}, {{contact.cf.<field id>}}, {{lead.name}}, {{lead.price}} and
 * {{lead.cf.<field id>}} — filled in from the card.
 * `account` replies are made by admins and seen by everyone; `personal` ones by their owner only.
 */
export const QuickReplyInput = z.strictObject({
  shortcut: z.string().check(z.trim(), z.toLowerCase(), z.regex(/^[\p{L}\p{N}_-]{1,40}$/u, 'must be one word of letters, digits, _ or -')),
  text: z.string().check(z.trim(), z.minLength(1), z.maxLength(4096)),
  scope: z._default(z.enum(['account', 'personal']), 'personal'),
});
export type QuickReplyInput = z.input<typeof QuickReplyInput>;

export const QuickReplyView = z.object({
  id: z.string(),
  shortcut: z.string(),
  text: z.string(),
  scope: z.enum(['account', 'personal']),
  /** Whether the signed-in user may change or delete it (their own, or an admin for the account's). */
  editable: z.boolean(),
  updatedAt: z.iso.datetime(),
});
export type QuickReplyView = z.infer<typeof QuickReplyView>;
export const QuickReplyList = z.object({ quickReplies: z.array(QuickReplyView) });
export const QuickReplyIdParams = z.object({ quickReplyId: z.string().check(z.minLength(1), z.maxLength(100)) });

/** Fill a quick reply for the card: the contact the chat is with and, in a lead card, the lead. */
export const QuickReplyFillInput = z.strictObject({
  contactId: z.nullable(z.int().check(z.positive())),
  leadId: z._default(z.nullable(z.int().check(z.positive())), null),
});
export const QuickReplyFilled = z.object({
  text: z.string(),
  /** Placeholders the CRM had no value for (left out of the text), so the agent can fill them by hand. */
  missing: z.array(z.string()),
});
