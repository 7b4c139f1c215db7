import { z } from 'zod/mini';

/**
 * Meta's WhatsApp webhook bodies as Meta publishes them
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages).
 * Every field is optional and unknown fields pass through: Meta adds fields without notice, and
 * nothing valid from Meta may be refused. `fakes/whatsapp/meta-examples.ts` holds Meta's examples.
 */
const Id = z.union([z.string(), z.number()]);

export const MetaContact = z.looseObject({
  /** The customer's phone (digits); absent when they hide it behind a username. */
  wa_id: z.optional(z.string()),
  /** The business-scoped user id (BSUID), e.g. "US.13491208655302741918". */
  user_id: z.optional(z.string()),
  profile: z.optional(z.looseObject({ name: z.optional(z.string()), username: z.optional(z.string()) })),
});

export const MetaError = z.looseObject({
  code: z.optional(z.number()),
  title: z.optional(z.string()),
  message: z.optional(z.string()),
  error_data: z.optional(z.looseObject({ details: z.optional(z.string()) })),
});

export const MetaMessage = z.looseObject({
  /** The customer's phone (digits); absent when only their BSUID is given. */
  from: z.optional(z.string()),
  from_user_id: z.optional(z.string()),
  id: z.optional(z.string()),
  timestamp: z.optional(z.string()),
  type: z.optional(z.string()),
  context: z.optional(z.looseObject({ from: z.optional(z.string()), id: z.optional(z.string()) })),
  errors: z.optional(z.array(MetaError)),
});

export const MetaStatus = z.looseObject({
  id: z.optional(z.string()),
  status: z.optional(z.string()),
  timestamp: z.optional(z.string()),
  recipient_id: z.optional(z.string()),
  biz_opaque_callback_data: z.optional(z.string()),
  errors: z.optional(z.array(MetaError)),
});

export const MetaValue = z.looseObject({
  messaging_product: z.optional(z.string()),
  metadata: z.optional(z.looseObject({ display_phone_number: z.optional(z.string()), phone_number_id: z.optional(z.string()) })),
  contacts: z.optional(z.array(MetaContact)),
  messages: z.optional(z.array(MetaMessage)),
  statuses: z.optional(z.array(MetaStatus)),
  user_preferences: z.optional(
    z.array(z.looseObject({ wa_id: z.optional(z.string()), user_id: z.optional(z.string()), value: z.optional(z.string()), category: z.optional(z.string()) })),
  ),
  // message_template_status_update
  event: z.optional(z.string()),
  message_template_id: z.optional(Id),
  message_template_name: z.optional(z.string()),
  message_template_language: z.optional(z.string()),
  reason: z.optional(z.nullable(z.string())),
});

export const MetaWebhookBody = z.looseObject({
  object: z.optional(z.string()),
  entry: z.optional(
    z.array(
      z.looseObject({
        id: z.optional(z.string()),
        time: z.optional(z.number()),
        changes: z.optional(z.array(z.looseObject({ field: z.optional(z.string()), value: z.optional(MetaValue) }))),
      }),
    ),
  ),
});
export type MetaWebhookBody = z.infer<typeof MetaWebhookBody>;
export type MetaValue = z.infer<typeof MetaValue>;
export type MetaMessage = z.infer<typeof MetaMessage>;
