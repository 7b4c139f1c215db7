/**
 * Meta's published webhook examples, in Meta's shape, with our ids filled in: what the fake Cloud
 * API sends and what the contract test (backend/src/whatsapp/meta-examples.test.ts) posts, signed, to
 * the real intake. Each builder names the page it is copied from. When Meta's example and the fake
 * differ, the fake changes (issue #19).
 */
export interface MetaNumber {
  wabaId: string;
  phoneNumberId: string;
  /** Digits, as Meta writes `display_phone_number`. */
  displayPhoneNumber: string;
}

/** Who wrote: a phone (digits), and/or Meta's business-scoped user id when the phone is hidden. */
export interface MetaCustomer {
  waId?: string;
  userId?: string;
  name?: string;
  username?: string;
}

const digits = (phone: string) => phone.replace(/\D/g, '');

/** The `messages` envelope (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages). System notices carry no `contacts` (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/system). */
export function messagesEnvelope(n: MetaNumber, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: n.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: digits(n.displayPhoneNumber), phone_number_id: n.phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/**
 * One inbound message item with its contact. Without a phone, `from` and `wa_id` are left out and
 * `from_user_id` / `user_id` name the customer (https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids;
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/order shows `wa_id` "omitted if user's phone number is unavailable").
 */
export function inbound(
  n: MetaNumber,
  who: MetaCustomer,
  message: { id: string; timestamp: string; type: string; context?: { from: string; id: string } } & Record<string, unknown>,
) {
  const contact = {
    profile: { name: who.name ?? 'Customer', ...(who.username ? { username: who.username } : {}) },
    ...(who.waId ? { wa_id: who.waId } : {}),
    ...(who.userId ? { user_id: who.userId } : {}),
  };
  const { id, timestamp, ...rest } = message;
  return messagesEnvelope(n, {
    contacts: [contact],
    messages: [{ ...(who.waId ? { from: who.waId } : {}), ...(who.userId ? { from_user_id: who.userId } : {}), id, timestamp, ...rest }],
  });
}

/** The kinds a customer sends, as Meta's per-type reference pages show them. */
export const metaMessages = {
  /** https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/text */
  text: (body: string) => ({ type: 'text', text: { body } }),
  /** A reply quotes the message: `context` (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/text, "context" of replies). */
  reply: (body: string, n: MetaNumber, quotedWamid: string) => ({
    type: 'text',
    context: { from: digits(n.displayPhoneNumber), id: quotedWamid },
    text: { body },
  }),
  /** https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/image */
  image: (mediaId: string, caption?: string) => ({
    type: 'image',
    image: { ...(caption ? { caption } : {}), mime_type: 'image/jpeg', sha256: 'VCWfXLwW4fS3GmJ8dVCk9qwk3pFSvPKCf3Fw8nB7gxw=', id: mediaId },
  }),
  /** A template's quick-reply button: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/button */
  button: (n: MetaNumber, templateWamid: string, text: string, payload = text) => ({
    type: 'button',
    context: { from: digits(n.displayPhoneNumber), id: templateWamid },
    button: { payload, text },
  }),
  /** https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/interactive (reply buttons) */
  buttonReply: (n: MetaNumber, quotedWamid: string, id: string, title: string) => ({
    type: 'interactive',
    context: { from: digits(n.displayPhoneNumber), id: quotedWamid },
    interactive: { type: 'button_reply', button_reply: { id, title } },
  }),
  /** https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/interactive (list) */
  listReply: (n: MetaNumber, quotedWamid: string, id: string, title: string, description: string) => ({
    type: 'interactive',
    context: { from: digits(n.displayPhoneNumber), id: quotedWamid },
    interactive: { type: 'list_reply', list_reply: { id, title, description } },
  }),
  /** https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/reaction (no emoji: the reaction was removed) */
  reaction: (reactedWamid: string, emoji?: string) => ({ type: 'reaction', reaction: { message_id: reactedWamid, ...(emoji ? { emoji } : {}) } }),
  /** https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/location */
  location: (latitude: number, longitude: number, name?: string, address?: string) => ({ type: 'location', location: { address, latitude, longitude, name } }),
  /** https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/contacts */
  contacts: (formattedName: string, phone: string) => ({
    type: 'contacts',
    contacts: [{ name: { first_name: formattedName.split(' ')[0], formatted_name: formattedName }, phones: [{ phone, type: 'CELL', wa_id: digits(phone) }] }],
  }),
  /** https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/sticker */
  sticker: (mediaId: string) => ({
    type: 'sticker',
    sticker: { mime_type: 'image/webp', sha256: 'S4BvXxTz8Q0Jk9y2o3hRk3rVwC1pPoNnCwz9S7hK2Jw=', id: mediaId, animated: false },
  }),
  /** https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/unsupported */
  unsupported: (kind = 'edit') => ({
    type: 'unsupported',
    errors: [
      { code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } },
    ],
    unsupported: { type: kind },
  }),
};

/** https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/system: the customer changed their number (no `contacts` array). */
export function systemChangedNumber(n: MetaNumber, oldWaId: string, newWaId: string, id: string, timestamp: string, name = 'Customer') {
  return messagesEnvelope(n, {
    messages: [
      {
        from: oldWaId,
        id,
        timestamp,
        type: 'system',
        system: { body: `User ${name} changed from ${oldWaId} to ${newWaId}`, wa_id: newWaId, type: 'user_changed_number' },
      },
    ],
  });
}

/** https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status */
export function statusUpdate(
  n: MetaNumber,
  s: { wamid: string; status: string; timestamp: string; recipient: string; callbackData?: string; error?: { code: number; title: string; details?: string } },
) {
  return messagesEnvelope(n, {
    statuses: [
      {
        id: s.wamid,
        status: s.status,
        timestamp: s.timestamp,
        recipient_id: s.recipient,
        ...(s.callbackData ? { biz_opaque_callback_data: s.callbackData } : {}),
        ...(s.status === 'sent' ? { pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' } } : {}),
        ...(s.error
          ? {
              errors: [
                {
                  code: s.error.code,
                  title: s.error.title,
                  message: s.error.title,
                  error_data: { details: s.error.details ?? s.error.title },
                  href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
                },
              ],
            }
          : {}),
      },
    ],
  });
}

/**
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/message_template_status_update: the template by `message_template_id`, its language written
 * "en-US" (the template list writes "en_US").
 */
export function templateStatusUpdate(
  wabaId: string,
  t: { id: string | number; name: string; language: string; event: string; reason?: string; category?: string; time: number },
) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: wabaId,
        time: t.time,
        changes: [
          {
            value: {
              event: t.event,
              message_template_id: Number(t.id),
              message_template_name: t.name,
              message_template_language: t.language.replace('_', '-'),
              reason: t.reason ?? 'NONE',
              ...(t.category ? { message_template_category: t.category } : {}),
            },
            field: 'message_template_status_update',
          },
        ],
      },
    ],
  };
}

/** https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/user_preferences: the customer stopped or resumed marketing messages. */
export function userPreferences(n: MetaNumber, waId: string, value: 'stop' | 'resume', timestamp: number) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: n.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: digits(n.displayPhoneNumber), phone_number_id: n.phoneNumberId },
              contacts: [{ wa_id: waId }],
              user_preferences: [
                {
                  wa_id: waId,
                  detail: value === 'stop' ? 'User requested to stop marketing messages' : 'User requested to resume marketing messages',
                  category: 'marketing_messages',
                  value,
                  timestamp,
                },
              ],
            },
            field: 'user_preferences',
          },
        ],
      },
    ],
  };
}
