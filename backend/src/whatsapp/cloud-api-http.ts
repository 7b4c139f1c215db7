import axios, { isAxiosError, type AxiosInstance } from 'axios';
import { z } from 'zod';
import { CloudApiError, type CloudApi, type OutboundMessage } from './cloud-api';

const GraphError = z.object({
  error: z.object({ message: z.string(), code: z.number(), error_data: z.object({ details: z.string().optional() }).partial().optional() }),
});
const SendResponse = z.object({
  messaging_product: z.literal('whatsapp'),
  contacts: z.array(z.object({ input: z.string(), wa_id: z.string() })).min(1),
  messages: z.array(z.object({ id: z.string() })).min(1),
});
const TemplateList = z.object({
  data: z.array(
    z.object({
      id: z.union([z.string(), z.number()]).optional(),
      name: z.string(),
      language: z.string(),
      status: z.string(),
      category: z.string().optional(),
      components: z
        .array(
          z.object({
            type: z.string(),
            text: z.string().optional(),
            format: z.string().optional(),
            buttons: z.array(z.object({ type: z.string(), text: z.string() })).optional(),
          }),
        )
        .default([]),
    }),
  ),
  paging: z.object({ next: z.string().optional() }).partial().optional(),
});
const IdPage = z.object({ data: z.array(z.object({ id: z.string() })), paging: z.object({ next: z.string().optional() }).partial().optional() });
const PhoneNumber = z.object({
  id: z.string(),
  display_phone_number: z.string(),
  verified_name: z.string().optional(),
  whatsapp_business_manager_messaging_limit: z.string().optional(),
});

/** Meta's messaging-limit tiers: unique customers reached outside a window per 24 hours. */
const TIERS: Record<string, number> = {
  TIER_50: 50,
  TIER_250: 250,
  TIER_1K: 1000,
  TIER_2K: 2000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: 1_000_000_000,
};

/** The Cloud API over axios; `base` is `https://graph.facebook.com/v25.0` or the fake's. */
export function createCloudApiHttp(options: { base: string; http?: AxiosInstance }): CloudApi {
  const http = options.http ?? axios.create({ timeout: 15_000 });
  const base = options.base.replace(/\/$/, '');

  async function call<S extends z.ZodType>(schema: S, run: () => Promise<{ data: unknown }>): Promise<z.infer<S>> {
    try {
      return schema.parse((await run()).data);
    } catch (error) {
      if (isAxiosError(error) && error.response) {
        const body = GraphError.safeParse(error.response.data);
        if (body.success) {
          const title = body.data.error.message.replace(/^\(#\d+\)\s*/, '');
          throw new CloudApiError(body.data.error.code, title, body.data.error.error_data?.details, error.response.status);
        }
        throw new CloudApiError(error.response.status >= 500 ? 131000 : 100, `HTTP ${error.response.status}`, undefined, error.response.status);
      }
      if (isAxiosError(error)) throw new CloudApiError(131000, `network error: ${error.code ?? error.message}`, undefined, 0);
      throw error;
    }
  }

  return {
    async getPhoneNumber(phoneNumberId, token) {
      const n = await call(PhoneNumber, () =>
        http.get(`${base}/${encodeURIComponent(phoneNumberId)}`, {
          params: { fields: 'display_phone_number,verified_name,whatsapp_business_manager_messaging_limit' },
          headers: { Authorization: `Bearer ${token}` },
        }),
      );
      return {
        id: n.id,
        displayPhoneNumber: n.display_phone_number,
        verifiedName: n.verified_name,
        dailyLimit: TIERS[n.whatsapp_business_manager_messaging_limit ?? ''],
      };
    },
    async listWabaPhoneNumbers(wabaId, token) {
      const ids: string[] = [];
      let url: string | undefined = `${base}/${encodeURIComponent(wabaId)}/phone_numbers?fields=id&limit=100`;
      for (let page = 0; url && page < 20; page++) {
        const current: string = url;
        const list = await call(IdPage, () => http.get(current, { headers: { Authorization: `Bearer ${token}` } }));
        ids.push(...list.data.map((n) => n.id));
        url = list.paging?.next;
      }
      return ids;
    },
    async listTemplates(wabaId, token) {
      const all: z.infer<typeof TemplateList>['data'] = [];
      let url: string | undefined = `${base}/${encodeURIComponent(wabaId)}/message_templates?limit=100`;
      // Follow Meta's paging, within reason.
      for (let page = 0; url && page < 20; page++) {
        const current: string = url;
        const list = await call(TemplateList, () => http.get(current, { headers: { Authorization: `Bearer ${token}` } }));
        all.push(...list.data);
        url = list.paging?.next;
      }
      return all.map((t) => {
        const part = (type: string) => t.components.find((c) => c.type === type);
        return {
          ...(t.id !== undefined ? { id: String(t.id) } : {}),
          name: t.name,
          language: t.language,
          status: t.status,
          category: t.category,
          body: part('BODY')?.text ?? '',
          headerFormat: part('HEADER')?.format,
          footer: part('FOOTER')?.text,
          buttons: part('BUTTONS')?.buttons ?? [],
        };
      });
    },
    async markRead(phoneNumberId, token, wamid) {
      await call(z.object({ success: z.boolean() }), () =>
        http.post(
          `${base}/${encodeURIComponent(phoneNumberId)}/messages`,
          { messaging_product: 'whatsapp', status: 'read', message_id: wamid },
          { headers: { Authorization: `Bearer ${token}` } },
        ),
      );
    },
    async downloadMedia(mediaId, token) {
      const info = await call(z.object({ url: z.string(), mime_type: z.string() }), () =>
        http.get(`${base}/${encodeURIComponent(mediaId)}`, { headers: { Authorization: `Bearer ${token}` } }),
      );
      const file = await call(z.instanceof(Buffer), () =>
        http.get(info.url, {
          headers: { Authorization: `Bearer ${token}` },
          responseType: 'arraybuffer',
          transformResponse: (d) => Buffer.from(d),
          maxContentLength: 110 * 1024 * 1024,
        }),
      );
      return { bytes: file, mimeType: info.mime_type };
    },
    async uploadMedia(phoneNumberId, token, file) {
      const form = new FormData();
      form.append('messaging_product', 'whatsapp');
      form.append('type', file.mimeType);
      // axios streams a Blob part from its source (blob.stream()): a file-backed Blob is never read whole.
      form.append('file', file.content.type ? file.content : file.content.slice(0, file.content.size, file.mimeType), file.filename);
      const uploaded = await call(z.object({ id: z.string() }), () =>
        http.post(`${base}/${encodeURIComponent(phoneNumberId)}/media`, form, { headers: { Authorization: `Bearer ${token}` }, maxBodyLength: Infinity }),
      );
      return { id: uploaded.id };
    },
    async send(phoneNumberId, token, message) {
      const response = await call(SendResponse, () =>
        http.post(`${base}/${encodeURIComponent(phoneNumberId)}/messages`, wireBody(message), { headers: { Authorization: `Bearer ${token}` } }),
      );
      return { wamid: response.messages[0]!.id, waId: response.contacts[0]!.wa_id };
    },
  };
}

/** The Cloud API's send body for one message (reference §1). */
export function wireBody(message: OutboundMessage): Record<string, unknown> {
  const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to: message.to };
  const context = 'context' in message && message.context ? { context: message.context } : {};
  if (message.type === 'text') return { ...envelope, ...context, type: 'text', text: message.text };
  if (message.type === 'template')
    return {
      ...envelope,
      type: 'template',
      template: message.template,
      ...(message.biz_opaque_callback_data ? { biz_opaque_callback_data: message.biz_opaque_callback_data } : {}),
    };
  return { ...envelope, ...context, type: message.type, [message.type]: message.media };
}
