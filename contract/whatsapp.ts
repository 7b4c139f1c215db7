import { z } from 'zod/mini';

export const ConnectNumberInput = z.strictObject({
  phoneNumberId: z.string().check(z.regex(/^\d{5,20}$/, 'must be the Cloud API phone-number id (digits)')),
  wabaId: z.string().check(z.regex(/^\d{5,20}$/, 'must be the WhatsApp Business Account id (digits)')),
  accessToken: z.string().check(z.trim(), z.minLength(20, 'must be a Cloud API access token'), z.maxLength(1000)),
});

export const NumberView = z.object({
  id: z.string(),
  phoneNumberId: z.string(),
  wabaId: z.string(),
  displayPhoneNumber: z.string(),
  verifiedName: z.nullable(z.string()),
  connectedAt: z.iso.datetime(),
});
export const NumberList = z.object({ numbers: z.array(NumberView), limit: z.int() });

export const NumberIdParams = z.object({ numberId: z.string().check(z.minLength(1), z.maxLength(100)) });
export const ConversationIdParams = z.object({ conversationId: z.string().check(z.minLength(1), z.maxLength(100)) });
export const MessageIdParams = z.object({ messageId: z.string().check(z.minLength(1), z.maxLength(100)) });

/**
 * A customer's phone as a person or a CRM wrote it: "+55 21 98765-4321", or "(21) 98765-4321" in the
 * account's country. The backend reads it (backend/src/whatsapp/phone.ts) and refuses what is not a
 * valid number with 400 `invalid_phone`; here only its size is checked.
 */
export const CustomerPhone = z.string().check(z.trim(), z.minLength(1), z.maxLength(40));

export const OpenConversationInput = z.strictObject({ numberId: z.string().check(z.minLength(1), z.maxLength(100)), phone: CustomerPhone });

export const ConversationView = z.object({
  id: z.string(),
  numberId: z.string(),
  waId: z.string(),
  customerName: z.nullable(z.string()),
  /** When the 24-hour window closes; null when it is closed. */
  windowClosesAt: z.nullable(z.iso.datetime()),
  optedOut: z.boolean(),
  /** The customer's WhatsApp username, when they chose one (they may then hide their phone: waId is then Meta's user id). */
  username: z._default(z.nullable(z.string()), null),
  /** Customer messages nobody has opened yet. */
  unread: z.int(),
});
export const ConversationList = z.object({ conversations: z.array(ConversationView) });

export const MessageView = z.object({
  id: z.string(),
  direction: z.enum(['in', 'out']),
  type: z.string(),
  content: z.record(z.string(), z.unknown()),
  status: z.enum(['received', 'queued', 'sent', 'delivered', 'read', 'failed']),
  error: z.nullable(z.object({ code: z.int(), title: z.string() })),
  sentBy: z.nullable(z.int()),
  sentByName: z.nullable(z.string()),
  createdAt: z.iso.datetime(),
  /** The message a reply quotes (inbound or outbound), when it is in the conversation. */
  replyTo: z._default(
    z.nullable(z.object({ id: z.string(), direction: z.enum(['in', 'out']), type: z.string(), content: z.record(z.string(), z.unknown()) })),
    null,
  ),
  /** The customer's reaction to this message (an emoji). */
  reaction: z._default(z.nullable(z.string()), null),
});
export const MessagePage = z.object({ messages: z.array(MessageView), nextBefore: z.nullable(z.string()) });

/**
 * A card's contacts' phones, as the CRM has them (bad ones are answered as refused, not as a failure),
 * and the size of the first page: up to 200, twice a history page, so a card's chat opens in one answer
 * (docs/decisions/030); going back in history reads pages of at most 100.
 */
export const CardChatInput = z.strictObject({
  phones: z.array(CustomerPhone).check(z.maxLength(50)),
  limit: z._default(z.int().check(z.gte(1), z.lte(200)), 50),
});

/**
 * What a card's chat opens with, in one answer (docs/decisions/021): the account's numbers, the
 * conversation on the first number with each phone (one per customer, however the phone was written;
 * none while no number is connected), the phones that are not phones with the reason, and the first
 * conversation's newest page.
 */
export const CardChat = z.object({
  numbers: z.array(NumberView),
  conversations: z.array(z.object({ phone: z.string(), conversation: ConversationView })),
  refused: z.array(z.object({ phone: z.string(), error: z.object({ code: z.string(), message: z.string() }) })),
  page: z.nullable(MessagePage),
});

export const MessagesQuery = z.object({
  before: z.optional(z.string().check(z.maxLength(100))),
  limit: z._default(z.pipe(z.coerce.number(), z.int().check(z.gte(1), z.lte(100))), 50),
});

export const SendMessageInput = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('text'),
    text: z.string().check(z.minLength(1), z.maxLength(4096)),
    replyTo: z.optional(z.string().check(z.maxLength(100))),
    /** The newest message the agent saw when they started typing: a newer reply by someone else asks for confirmation. */
    seenUpTo: z.optional(z.string().check(z.maxLength(100))),
    /** Send even though someone else replied meanwhile. */
    confirmed: z.optional(z.boolean()),
  }),
  z.strictObject({
    type: z.literal('template'),
    name: z.string().check(z.regex(/^[a-z0-9_]{1,512}$/)),
    language: z.string().check(z.regex(/^[a-z]{2}(_[A-Z]{2})?$/)),
    bodyParameters: z._default(z.array(z.string().check(z.maxLength(1024))).check(z.maxLength(20)), []),
  }),
]);
export type SendMessageInput = z.input<typeof SendMessageInput>;

export const TemplateView = z.object({
  name: z.string(),
  language: z.string(),
  category: z.nullable(z.string()),
  body: z.string(),
  paramCount: z.int(),
  /** IMAGE, VIDEO or DOCUMENT when the header needs a file (broadcasts ask for its link); TEXT or null otherwise. */
  headerFormat: z._default(z.nullable(z.string()), null),
});
export const TemplateList = z.object({ templates: z.array(TemplateView) });

export const MediaKind = z.enum(['image', 'video', 'audio', 'document']);
export const MediaQuery = z.object({
  kind: MediaKind,
  caption: z.optional(z.string().check(z.maxLength(1024))),
  filename: z.optional(z.string().check(z.maxLength(240))),
});
