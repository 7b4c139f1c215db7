import { z } from 'zod/mini';
import { CustomerPhone as Phone, MediaKind } from './whatsapp';

/** POST /api/v1/messages: a message to a phone from one of the account's numbers (text, template, or media by link). */
export const PublicSendInput = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('text'),
    numberId: z.string().check(z.minLength(1), z.maxLength(100)),
    to: Phone,
    text: z.string().check(z.minLength(1), z.maxLength(4096)),
  }),
  z.strictObject({
    type: z.literal('template'),
    numberId: z.string().check(z.minLength(1), z.maxLength(100)),
    to: Phone,
    name: z.string().check(z.regex(/^[a-z0-9_]{1,512}$/)),
    language: z.string().check(z.regex(/^[a-z]{2}(_[A-Z]{2})?$/)),
    bodyParameters: z._default(z.array(z.string().check(z.maxLength(1024))).check(z.maxLength(20)), []),
  }),
  z.strictObject({
    type: MediaKind,
    numberId: z.string().check(z.minLength(1), z.maxLength(100)),
    to: Phone,
    /** A public https link WhatsApp fetches the file from. */
    link: z.url({ protocol: /^https$/ }).check(z.maxLength(2000)),
    caption: z.optional(z.string().check(z.maxLength(1024))),
    filename: z.optional(z.string().check(z.maxLength(240))),
  }),
]);
export type PublicSendInput = z.input<typeof PublicSendInput>;

export const ConversationsQuery = z.object({ phone: z.optional(Phone) });

export const ApiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.nullable(z.iso.datetime()),
  revokedAt: z.nullable(z.iso.datetime()),
});
export const ApiKeyList = z.object({ keys: z.array(ApiKeyView) });
/** The key in full, shown this once. */
export const CreatedApiKey = z.extend(ApiKeyView, { key: z.string() });
export const CreateApiKeyInput = z.strictObject({ name: z.string().check(z.trim(), z.minLength(1), z.maxLength(80)) });
export const ApiKeyIdParams = z.object({ keyId: z.string().check(z.minLength(1), z.maxLength(100)) });

export const WEBHOOK_EVENTS = ['message.received', 'message.status', 'broadcast.progress', 'broadcast.finished'] as const;
export const WebhookEndpointView = z.object({ id: z.string(), url: z.string(), createdAt: z.iso.datetime(), disabledAt: z.nullable(z.iso.datetime()) });
export const WebhookEndpointList = z.object({ endpoints: z.array(WebhookEndpointView) });
/** The signing secret in full, shown this once. */
export const CreatedWebhookEndpoint = z.extend(WebhookEndpointView, { secret: z.string() });
export const CreateWebhookInput = z.strictObject({ url: z.url({ protocol: /^https?$/ }).check(z.maxLength(2000)) });
export const WebhookIdParams = z.object({ endpointId: z.string().check(z.minLength(1), z.maxLength(100)) });
export const WebhookDeliveryList = z.object({
  deliveries: z.array(
    z.object({
      eventId: z.string(),
      type: z.enum(WEBHOOK_EVENTS),
      createdAt: z.iso.datetime(),
      attempts: z.int(),
      lastStatus: z.nullable(z.int()),
      lastError: z.nullable(z.string()),
      deliveredAt: z.nullable(z.iso.datetime()),
      gaveUpAt: z.nullable(z.iso.datetime()),
      nextAttemptAt: z.nullable(z.iso.datetime()),
    }),
  ),
});
