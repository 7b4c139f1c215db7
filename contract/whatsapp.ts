import { z } from 'zod';

export const ConnectNumberInput = z
  .object({
    phoneNumberId: z.string().regex(/^\d{5,20}$/, 'must be the Cloud API phone-number id (digits)'),
    wabaId: z.string().regex(/^\d{5,20}$/, 'must be the WhatsApp Business Account id (digits)'),
    accessToken: z.string().trim().min(20, 'must be a Cloud API access token').max(1000),
  })
  .strict();

export const NumberView = z.object({
  id: z.string(),
  phoneNumberId: z.string(),
  wabaId: z.string(),
  displayPhoneNumber: z.string(),
  verifiedName: z.string().nullable(),
  connectedAt: z.iso.datetime(),
});
export const NumberList = z.object({ numbers: z.array(NumberView), limit: z.number().int() });

export const NumberIdParams = z.object({ numberId: z.string().min(1).max(100) });
export const ConversationIdParams = z.object({ conversationId: z.string().min(1).max(100) });
export const MessageIdParams = z.object({ messageId: z.string().min(1).max(100) });

export const OpenConversationInput = z
  .object({ numberId: z.string().min(1).max(100), phone: z.string().trim().regex(/^\+?[1-9][\d\s().-]{6,20}$/, 'must be a phone number in international format') })
  .strict();

export const ConversationView = z.object({
  id: z.string(),
  numberId: z.string(),
  waId: z.string(),
  customerName: z.string().nullable(),
  /** When the 24-hour window closes; null when it is closed. */
  windowClosesAt: z.iso.datetime().nullable(),
  optedOut: z.boolean(),
  /** Customer messages nobody has opened yet. */
  unread: z.number().int(),
});
export const ConversationList = z.object({ conversations: z.array(ConversationView) });

export const MessageView = z.object({
  id: z.string(),
  direction: z.enum(['in', 'out']),
  type: z.string(),
  content: z.record(z.string(), z.unknown()),
  status: z.enum(['received', 'queued', 'sent', 'delivered', 'read', 'failed']),
  error: z.object({ code: z.number().int(), title: z.string() }).nullable(),
  sentBy: z.number().int().nullable(),
  sentByName: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export const MessagePage = z.object({ messages: z.array(MessageView), nextBefore: z.string().nullable() });

export const MessagesQuery = z.object({ before: z.string().max(100).optional(), limit: z.coerce.number().int().min(1).max(100).default(50) });

export const SendMessageInput = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('text'),
      text: z.string().min(1).max(4096),
      replyTo: z.string().max(100).optional(),
      /** The newest message the agent saw when they started typing: a newer reply by someone else asks for confirmation. */
      seenUpTo: z.string().max(100).optional(),
      /** Send even though someone else replied meanwhile. */
      confirmed: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('template'),
      name: z.string().regex(/^[a-z0-9_]{1,512}$/),
      language: z.string().regex(/^[a-z]{2}(_[A-Z]{2})?$/),
      bodyParameters: z.array(z.string().max(1024)).max(20).default([]),
    })
    .strict(),
]);
export type SendMessageInput = z.input<typeof SendMessageInput>;

export const TemplateView = z.object({
  name: z.string(),
  language: z.string(),
  category: z.string().nullable(),
  body: z.string(),
  paramCount: z.number().int(),
  /** IMAGE, VIDEO or DOCUMENT when the header needs a file (broadcasts ask for its link); TEXT or null otherwise. */
  headerFormat: z.string().nullable().default(null),
});
export const TemplateList = z.object({ templates: z.array(TemplateView) });

export const MediaKind = z.enum(['image', 'video', 'audio', 'document']);
export const MediaQuery = z.object({
  kind: MediaKind,
  caption: z.string().max(1024).optional(),
  filename: z.string().max(240).optional(),
});
