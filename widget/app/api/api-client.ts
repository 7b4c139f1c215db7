import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { z } from 'zod/mini';
import { MeResponse, UserList, UserView } from '../../../contract/account';
import { AccountAdmin, AccountSettings, ConsentView, LicenceStatus, PlanList, type RegistrationInput } from '../../../contract/licence';
import { OrderList, OrderQuote, OrderView, type CreateOrderInput, type FileClaimInput } from '../../../contract/orders';
import { ConversationView, MessagePage, MessageView, NumberList, NumberView, TemplateList, type SendMessageInput } from '../../../contract/whatsapp';
import { BroadcastList, BroadcastTemplateList, BroadcastView, SavedAudienceList, type CreateBroadcastInput } from '../../../contract/broadcasts';
import { ApiKeyList, ApiKeyView, CreatedApiKey, CreatedWebhookEndpoint, WebhookDeliveryList, WebhookEndpointList } from '../../../contract/public-api';
import { ErrorBody } from '../../../contract/error';
import { readEventStream, type LiveEventData } from '../../../contract/event-stream';
import { ApiError } from './api-error';

export interface ApiClientOptions {
  baseURL: string;
  getToken(): string | null;
  /** Called on 401 so the host can fetch a fresh session. */
  onUnauthorized?(): void;
  http?: AxiosInstance;
}

/** A 204 answer: nothing to parse. */
const NoContent = z.unknown();

/** The widget's only way to the backend: responses are parsed with the shared contract. */
export function createApiClient(options: ApiClientOptions) {
  const http = options.http ?? axios.create({ baseURL: options.baseURL, timeout: 15_000 });

  async function request<S extends z.ZodMiniType>(schema: S, config: { method: string; url: string; data?: unknown; headers?: Record<string, string> }): Promise<z.infer<S>> {
    const token = options.getToken();
    try {
      const response = await http.request({ ...config, headers: { ...(config.headers ?? {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) } });
      return schema.parse(response.data);
    } catch (error) {
      if (isAxiosError(error)) {
        const status = error.response?.status ?? 0;
        if (status === 401) options.onUnauthorized?.();
        const body = ErrorBody.safeParse(error.response?.data);
        if (body.success) throw new ApiError(body.data.error.code, body.data.error.message, status, body.data.error.issues ?? []);
        throw new ApiError(status ? 'http_error' : 'unreachable', status ? `The service answered ${status}.` : 'The service could not be reached.', status);
      }
      throw error;
    }
  }

  return {
    me: () => request(MeResponse, { method: 'GET', url: '/api/v1/me' }),
    users: () => request(UserList, { method: 'GET', url: '/api/v1/users' }),
    setUserEnabled: (userId: number, enabled: boolean) =>
      request(UserView, { method: 'PATCH', url: `/api/v1/users/${userId}`, data: { enabled } }),
    licence: () => request(LicenceStatus, { method: 'GET', url: '/api/v1/licence' }),
    plans: () => request(PlanList, { method: 'GET', url: '/api/v1/plans' }),
    accountAdmin: () => request(AccountAdmin, { method: 'GET', url: '/api/v1/account-admin' }),
    register: (input: RegistrationInput) => request(AccountAdmin, { method: 'PUT', url: '/api/v1/registration', data: input }),
    acceptTerms: (version: string) => request(AccountAdmin, { method: 'POST', url: '/api/v1/terms/accept', data: { version } }),
    consent: () => request(ConsentView, { method: 'GET', url: '/api/v1/consent' }),
    withdrawConsent: () => request(ConsentView, { method: 'POST', url: '/api/v1/consent/withdraw', data: { confirm: true } }),
    settings: () => request(AccountSettings, { method: 'GET', url: '/api/v1/settings' }),
    updateSettings: (input: Partial<AccountSettings>) => request(AccountSettings, { method: 'PATCH', url: '/api/v1/settings', data: input }),
    orders: () => request(OrderList, { method: 'GET', url: '/api/v1/orders' }),
    orderQuote: (q: Pick<CreateOrderInput, 'action' | 'plan' | 'currency'>) =>
      request(OrderQuote, { method: 'GET', url: `/api/v1/orders/quote?${new URLSearchParams(q).toString()}` }),
    createOrder: (input: CreateOrderInput) => request(OrderView, { method: 'POST', url: '/api/v1/orders', data: input }),
    payNow: (orderId: string) => request(OrderView, { method: 'POST', url: `/api/v1/orders/${encodeURIComponent(orderId)}/checkout`, data: {} }),
    fileClaim: (orderId: string, input: FileClaimInput) => request(OrderView, { method: 'POST', url: `/api/v1/orders/${encodeURIComponent(orderId)}/claims`, data: input }),
    delayRefund: (orderId: string) => request(OrderView, { method: 'POST', url: `/api/v1/orders/${encodeURIComponent(orderId)}/delay-refund`, data: {} }),
    numbers: () => request(NumberList, { method: 'GET', url: '/api/v1/numbers' }),
    connectNumber: (input: { phoneNumberId: string; wabaId: string; accessToken: string }) => request(NumberView, { method: 'POST', url: '/api/v1/numbers', data: input }),
    removeNumber: (numberId: string) => request(NoContent, { method: 'DELETE', url: `/api/v1/numbers/${encodeURIComponent(numberId)}` }),
    templates: (numberId: string) => request(TemplateList, { method: 'GET', url: `/api/v1/numbers/${encodeURIComponent(numberId)}/templates` }),
    refreshTemplates: (numberId: string) => request(TemplateList, { method: 'POST', url: `/api/v1/numbers/${encodeURIComponent(numberId)}/templates/sync`, data: {} }),
    openConversation: (numberId: string, phone: string) => request(ConversationView, { method: 'POST', url: '/api/v1/conversations', data: { numberId, phone } }),
    /** A media message's file, as an object URL the chat can show. */
    async mediaUrl(messageId: string): Promise<string> {
      const token = options.getToken();
      const response = await http.get(`/api/v1/messages/${encodeURIComponent(messageId)}/media`, { responseType: 'blob', headers: token ? { Authorization: `Bearer ${token}` } : {} });
      return URL.createObjectURL(response.data as Blob);
    },
    markRead: (id: string) => request(ConversationView, { method: 'POST', url: `/api/v1/conversations/${encodeURIComponent(id)}/read`, data: {} }),
    optIn: (id: string) => request(ConversationView, { method: 'POST', url: `/api/v1/conversations/${encodeURIComponent(id)}/opt-in`, data: {} }),
    conversation: (id: string) => request(ConversationView, { method: 'GET', url: `/api/v1/conversations/${encodeURIComponent(id)}` }),
    messages: (id: string, before?: string) =>
      request(MessagePage, { method: 'GET', url: `/api/v1/conversations/${encodeURIComponent(id)}/messages${before ? `?before=${encodeURIComponent(before)}` : ''}` }),
    sendMedia: (id: string, file: Blob, kind: string, options: { caption?: string; filename?: string }) =>
      request(MessageView, {
        method: 'POST',
        url: `/api/v1/conversations/${encodeURIComponent(id)}/media?${new URLSearchParams({ kind, ...(options.caption ? { caption: options.caption } : {}), ...(options.filename ? { filename: options.filename } : {}) }).toString()}`,
        data: file,
        headers: { 'Content-Type': file.type || 'application/octet-stream' },
      }),
    send: (id: string, input: SendMessageInput) => request(MessageView, { method: 'POST', url: `/api/v1/conversations/${encodeURIComponent(id)}/messages`, data: input }),
    /** The live event stream (fetch, so the session header goes along); calls `onEvent` until `signal` aborts. */
    async events(onEvent: (type: string, data: LiveEventData) => void, signal: AbortSignal) {
      const token = options.getToken();
      const response = await fetch(`${options.baseURL}/api/v1/events`, { headers: token ? { Authorization: `Bearer ${token}` } : {}, signal });
      if (response.status === 401) options.onUnauthorized?.();
      if (!response.ok || !response.body) throw new ApiError('stream_failed', `The live stream answered ${response.status}.`, response.status);
      await readEventStream(response.body, onEvent);
    },
    broadcasts: () => request(BroadcastList, { method: 'GET', url: '/api/v1/broadcasts' }),
    /** Every template of the number's WABA, each saying whether it can carry a broadcast and why not. */
    broadcastTemplates: (numberId: string) => request(BroadcastTemplateList, { method: 'GET', url: `/api/v1/numbers/${encodeURIComponent(numberId)}/broadcast-templates` }),
    broadcast: (id: string) => request(BroadcastView, { method: 'GET', url: `/api/v1/broadcasts/${encodeURIComponent(id)}` }),
    audiences: () => request(SavedAudienceList, { method: 'GET', url: '/api/v1/audiences' }),
    createBroadcast: (input: CreateBroadcastInput) => request(BroadcastView, { method: 'POST', url: '/api/v1/broadcasts', data: input }),
    launchBroadcast: (id: string, expectedRecipients: number) =>
      request(BroadcastView, { method: 'POST', url: `/api/v1/broadcasts/${encodeURIComponent(id)}/launch`, data: { expectedRecipients } }),
    broadcastAction: (id: string, action: 'pause' | 'resume' | 'cancel' | 'retry-failed') =>
      request(BroadcastView, { method: 'POST', url: `/api/v1/broadcasts/${encodeURIComponent(id)}/${action}`, data: {} }),
    apiKeys: () => request(ApiKeyList, { method: 'GET', url: '/api/v1/api-keys' }),
    createApiKey: (name: string) => request(CreatedApiKey, { method: 'POST', url: '/api/v1/api-keys', data: { name } }),
    revokeApiKey: (id: string) => request(ApiKeyView, { method: 'DELETE', url: `/api/v1/api-keys/${encodeURIComponent(id)}` }),
    webhooks: () => request(WebhookEndpointList, { method: 'GET', url: '/api/v1/webhooks' }),
    createWebhook: (url: string) => request(CreatedWebhookEndpoint, { method: 'POST', url: '/api/v1/webhooks', data: { url } }),
    removeWebhook: (id: string) => request(NoContent, { method: 'DELETE', url: `/api/v1/webhooks/${encodeURIComponent(id)}` }),
    webhookDeliveries: (id: string) => request(WebhookDeliveryList, { method: 'GET', url: `/api/v1/webhooks/${encodeURIComponent(id)}/deliveries` }),
    terminate: (orderId: string) => request(OrderView, { method: 'POST', url: `/api/v1/orders/${encodeURIComponent(orderId)}/terminate`, data: { confirm: true } }),
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;
