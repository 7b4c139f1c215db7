import { z } from 'zod';
import { MediaKind } from './whatsapp';

const Phone = z.string().trim().regex(/^\+?[1-9][\d\s().-]{6,20}$/, 'must be a phone number in international format');

/** POST /api/v1/messages: a message to a phone from one of the account's numbers (text, template, or media by link). */
export const PublicSendInput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), numberId: z.string().min(1).max(100), to: Phone, text: z.string().min(1).max(4096) }).strict(),
  z
    .object({
      type: z.literal('template'),
      numberId: z.string().min(1).max(100),
      to: Phone,
      name: z.string().regex(/^[a-z0-9_]{1,512}$/),
      language: z.string().regex(/^[a-z]{2}(_[A-Z]{2})?$/),
      bodyParameters: z.array(z.string().max(1024)).max(20).default([]),
    })
    .strict(),
  z
    .object({
      type: MediaKind,
      numberId: z.string().min(1).max(100),
      to: Phone,
      /** A public https link WhatsApp fetches the file from. */
      link: z.url({ protocol: /^https$/ }).max(2000),
      caption: z.string().max(1024).optional(),
      filename: z.string().max(240).optional(),
    })
    .strict(),
]);
export type PublicSendInput = z.input<typeof PublicSendInput>;

export const ConversationsQuery = z.object({ phone: z.string().max(30).optional() });

export const ApiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export const ApiKeyList = z.object({ keys: z.array(ApiKeyView) });
/** The key in full, shown this once. */
export const CreatedApiKey = ApiKeyView.extend({ key: z.string() });
export const CreateApiKeyInput = z.object({ name: z.string().trim().min(1).max(80) }).strict();
export const ApiKeyIdParams = z.object({ keyId: z.string().min(1).max(100) });

export const WEBHOOK_EVENTS = ['message.received', 'message.status', 'broadcast.progress', 'broadcast.finished'] as const;
export const WebhookEndpointView = z.object({ id: z.string(), url: z.string(), createdAt: z.iso.datetime(), disabledAt: z.iso.datetime().nullable() });
export const WebhookEndpointList = z.object({ endpoints: z.array(WebhookEndpointView) });
/** The signing secret in full, shown this once. */
export const CreatedWebhookEndpoint = WebhookEndpointView.extend({ secret: z.string() });
export const CreateWebhookInput = z.object({ url: z.url({ protocol: /^https?$/ }).max(2000) }).strict();
export const WebhookIdParams = z.object({ endpointId: z.string().min(1).max(100) });
export const WebhookDeliveryList = z.object({
  deliveries: z.array(
    z.object({
      eventId: z.string(),
      type: z.enum(WEBHOOK_EVENTS),
      createdAt: z.iso.datetime(),
      attempts: z.number().int(),
      lastStatus: z.number().int().nullable(),
      lastError: z.string().nullable(),
      deliveredAt: z.iso.datetime().nullable(),
      gaveUpAt: z.iso.datetime().nullable(),
      nextAttemptAt: z.iso.datetime().nullable(),
    }),
  ),
});
