import type { z } from 'zod/mini';
import type { MeResponse, UserList, UserView } from '../../../contract/account';
import type { AccountAdmin, AccountSettings, ConsentView, LicenceStatus, PlanList, RegistrationInput } from '../../../contract/licence';
import type { CreateOrderInput, FileClaimInput, OrderList, OrderQuote, OrderView } from '../../../contract/orders';
import type { CardChat, ConversationView, MessagePage, MessageView, NumberList, NumberView, TemplateList, SendMessageInput } from '../../../contract/whatsapp';
import type { BroadcastList, BroadcastTemplateList, BroadcastView, CreateBroadcastInput, SavedAudienceList } from '../../../contract/broadcasts';
import type { ApiKeyList, ApiKeyView, CreatedApiKey, CreatedWebhookEndpoint, WebhookDeliveryList, WebhookEndpointList } from '../../../contract/public-api';
import type { DpAutomationInput, DpAutomationList, DpAutomationView } from '../../../contract/automation';
import type { KommoChannelView } from '../../../contract/kommo-channel';
import type { QuickReplyFilled, QuickReplyInput, QuickReplyList, QuickReplyView } from '../../../contract/quick-replies';
import type { ErrorBody } from '../../../contract/error';
import { readEventStream, type LiveEventData } from '../../../contract/event-stream';
import { ApiError } from './api-error';
import { MeShape } from './contract-shapes';
import type { Check } from './shape';

export interface ApiClientOptions {
  baseURL: string;
  getToken(): string | null;
  /** Called on 401 so the host can fetch a fresh session. */
  onUnauthorized?(): void;
  /** The browser's `fetch` unless given (tests may pass their own). */
  fetch?: typeof fetch;
}

/** One call: the path under `baseURL`; `data` goes as JSON, or as it is when it is a file. */
interface Call {
  method: string;
  url: string;
  data?: unknown;
  headers?: Record<string, string>;
}

const TIMEOUT_MS = 15_000;

/**
 * The widget's only way to the backend: `fetch` with the session header, every answer typed by the
 * shared contract, every refusal an `ApiError` with the backend's code (docs/decisions/021).
 */
export function createApiClient(options: ApiClientOptions) {
  // Looked up at each call (a test's mock may replace it later) and called as a function of the window.
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  /** The answer of a 2xx; anything else (or no answer at all) throws an `ApiError`. */
  async function call(config: Call): Promise<Response> {
    const token = options.getToken();
    const headers: Record<string, string> = { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) };
    let body: BodyInit | undefined;
    if (config.data instanceof Blob) body = config.data;
    else if (config.data !== undefined) {
      body = JSON.stringify(config.data);
      headers['Content-Type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await fetchImpl(`${options.baseURL}${config.url}`, {
        method: config.method,
        headers: { ...headers, ...config.headers },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      // Offline, refused, or no answer within the timeout.
      throw new ApiError('unreachable', 'The service could not be reached.', 0);
    }
    if (response.ok) return response;
    if (response.status === 401) options.onUnauthorized?.();
    // The backend's refusal (SPEC §8); anything else (a proxy's page, no body) is told by its status.
    const refusal = ((await response.json().catch(() => undefined)) as Partial<ErrorBody> | undefined)?.error;
    if (typeof refusal?.code === 'string' && typeof refusal.message === 'string')
      throw new ApiError(refusal.code, refusal.message, response.status, refusal.issues ?? [], refusal.params ?? {});
    throw new ApiError('http_error', `The service answered ${response.status}.`, response.status);
  }

  /**
   * The answer, typed by the contract's schema `S`. An empty answer (204) is `undefined`.
   */
  async function request<S extends z.ZodMiniType>(config: Call): Promise<z.infer<S>> {
    const text = await (await call(config)).text();
    return (text ? JSON.parse(text) : undefined) as z.infer<S>;
  }

  /**
   * The answer, checked against the contract's shape (the handshake, docs/decisions/021 and 030):
   * a backend answering in a shape this build does not know fails here, not later in a screen.
   */
  async function checked<T>(config: Call, shape: Check<T>): Promise<T> {
    return shape(JSON.parse(await (await call(config)).text()));
  }

  return {
    me: () => checked<MeResponse>({ method: 'GET', url: '/api/v1/me' }, MeShape),
    users: () => request<typeof UserList>({ method: 'GET', url: '/api/v1/users' }),
    setUserEnabled: (userId: number, enabled: boolean) => request<typeof UserView>({ method: 'PATCH', url: `/api/v1/users/${userId}`, data: { enabled } }),
    licence: () => request<typeof LicenceStatus>({ method: 'GET', url: '/api/v1/licence' }),
    plans: () => request<typeof PlanList>({ method: 'GET', url: '/api/v1/plans' }),
    accountAdmin: () => request<typeof AccountAdmin>({ method: 'GET', url: '/api/v1/account-admin' }),
    register: (input: RegistrationInput) => request<typeof AccountAdmin>({ method: 'PUT', url: '/api/v1/registration', data: input }),
    acceptTerms: (version: string) => request<typeof AccountAdmin>({ method: 'POST', url: '/api/v1/terms/accept', data: { version } }),
    consent: () => request<typeof ConsentView>({ method: 'GET', url: '/api/v1/consent' }),
    withdrawConsent: () => request<typeof ConsentView>({ method: 'POST', url: '/api/v1/consent/withdraw', data: { confirm: true } }),
    settings: () => request<typeof AccountSettings>({ method: 'GET', url: '/api/v1/settings' }),
    updateSettings: (input: Partial<AccountSettings>) => request<typeof AccountSettings>({ method: 'PATCH', url: '/api/v1/settings', data: input }),
    orders: () => request<typeof OrderList>({ method: 'GET', url: '/api/v1/orders' }),
    orderQuote: (q: Pick<CreateOrderInput, 'action' | 'plan' | 'currency'>) =>
      request<typeof OrderQuote>({ method: 'GET', url: `/api/v1/orders/quote?${new URLSearchParams(q).toString()}` }),
    createOrder: (input: CreateOrderInput) => request<typeof OrderView>({ method: 'POST', url: '/api/v1/orders', data: input }),
    payNow: (orderId: string) => request<typeof OrderView>({ method: 'POST', url: `/api/v1/orders/${encodeURIComponent(orderId)}/checkout`, data: {} }),
    fileClaim: (orderId: string, input: FileClaimInput) =>
      request<typeof OrderView>({ method: 'POST', url: `/api/v1/orders/${encodeURIComponent(orderId)}/claims`, data: input }),
    delayRefund: (orderId: string) =>
      request<typeof OrderView>({ method: 'POST', url: `/api/v1/orders/${encodeURIComponent(orderId)}/delay-refund`, data: {} }),
    /** The account's native Kommo chat channel (SPEC §5): available, switched on, connected. */
    kommoChannel: () => request<typeof KommoChannelView>({ method: 'GET', url: '/api/v1/kommo-channel' }),
    setKommoChannel: (enabled: boolean) => request<typeof KommoChannelView>({ method: 'PUT', url: '/api/v1/kommo-channel', data: { enabled } }),
    numbers: () => request<typeof NumberList>({ method: 'GET', url: '/api/v1/numbers' }),
    connectNumber: (input: { phoneNumberId: string; wabaId: string; accessToken: string }) =>
      request<typeof NumberView>({ method: 'POST', url: '/api/v1/numbers', data: input }),
    templates: (numberId: string) => request<typeof TemplateList>({ method: 'GET', url: `/api/v1/numbers/${encodeURIComponent(numberId)}/templates` }),
    refreshTemplates: (numberId: string) =>
      request<typeof TemplateList>({ method: 'POST', url: `/api/v1/numbers/${encodeURIComponent(numberId)}/templates/sync`, data: {} }),
    /** What a card's chat opens with, in one answer: the numbers, a conversation per phone, and the first one's newest page (of `limit`). */
    cardChat: (phones: string[], limit?: number) =>
      request<typeof CardChat>({ method: 'POST', url: '/api/v1/card-chat', data: { phones, ...(limit ? { limit } : {}) } }),
    openConversation: (numberId: string, phone: string) =>
      request<typeof ConversationView>({ method: 'POST', url: '/api/v1/conversations', data: { numberId, phone } }),
    /** A media message's file, as an object URL the chat can show. */
    async mediaUrl(messageId: string): Promise<string> {
      const response = await call({ method: 'GET', url: `/api/v1/messages/${encodeURIComponent(messageId)}/media` });
      return URL.createObjectURL(await response.blob());
    },
    /** A broadcast's report of every recipient (CSV or XLSX), with the file name the backend gives it. */
    async broadcastReport(id: string, format: 'csv' | 'xlsx' = 'csv'): Promise<{ blob: Blob; fileName: string }> {
      const response = await call({ method: 'GET', url: `/api/v1/broadcasts/${encodeURIComponent(id)}/report.${format}` });
      const named = /filename\*=UTF-8''([^;]+)/.exec(response.headers.get('content-disposition') ?? '')?.[1];
      return { blob: await response.blob(), fileName: named ? decodeURIComponent(named) : `broadcast-report.${format}` };
    },
    markRead: (id: string) => request<typeof ConversationView>({ method: 'POST', url: `/api/v1/conversations/${encodeURIComponent(id)}/read`, data: {} }),
    optIn: (id: string) => request<typeof ConversationView>({ method: 'POST', url: `/api/v1/conversations/${encodeURIComponent(id)}/opt-in`, data: {} }),
    conversation: (id: string) => request<typeof ConversationView>({ method: 'GET', url: `/api/v1/conversations/${encodeURIComponent(id)}` }),
    messages: (id: string, before?: string, limit?: number) =>
      request<typeof MessagePage>({
        method: 'GET',
        url: `/api/v1/conversations/${encodeURIComponent(id)}/messages${before || limit ? `?${new URLSearchParams({ ...(before ? { before } : {}), ...(limit ? { limit: String(limit) } : {}) }).toString()}` : ''}`,
      }),
    sendMedia: (id: string, file: Blob, kind: string, options: { caption?: string; filename?: string }) =>
      request<typeof MessageView>({
        method: 'POST',
        url: `/api/v1/conversations/${encodeURIComponent(id)}/media?${new URLSearchParams({ kind, ...(options.caption ? { caption: options.caption } : {}), ...(options.filename ? { filename: options.filename } : {}) }).toString()}`,
        data: file,
        headers: { 'Content-Type': file.type || 'application/octet-stream' },
      }),
    send: (id: string, input: SendMessageInput) =>
      request<typeof MessageView>({ method: 'POST', url: `/api/v1/conversations/${encodeURIComponent(id)}/messages`, data: input }),
    /**
     * The live event stream (fetch, so the session header goes along): `onOpen` once it is open, then
     * `onEvent` for each event until the stream ends or `signal` aborts. Only the live model calls it.
     */
    async events(onEvent: (type: string, data: LiveEventData) => void, signal: AbortSignal, onOpen?: () => void) {
      const token = options.getToken();
      const response = await fetchImpl(`${options.baseURL}/api/v1/events`, { headers: token ? { Authorization: `Bearer ${token}` } : {}, signal });
      if (response.status === 401) options.onUnauthorized?.();
      if (!response.ok || !response.body) throw new ApiError('stream_failed', `The live stream answered ${response.status}.`, response.status);
      onOpen?.();
      await readEventStream(response.body, onEvent);
    },
    broadcasts: () => request<typeof BroadcastList>({ method: 'GET', url: '/api/v1/broadcasts' }),
    /** Every template of the number's WABA, each saying whether it can carry a broadcast and why not. */
    broadcastTemplates: (numberId: string) =>
      request<typeof BroadcastTemplateList>({ method: 'GET', url: `/api/v1/numbers/${encodeURIComponent(numberId)}/broadcast-templates` }),
    broadcast: (id: string) => request<typeof BroadcastView>({ method: 'GET', url: `/api/v1/broadcasts/${encodeURIComponent(id)}` }),
    audiences: () => request<typeof SavedAudienceList>({ method: 'GET', url: '/api/v1/audiences' }),
    createBroadcast: (input: CreateBroadcastInput) => request<typeof BroadcastView>({ method: 'POST', url: '/api/v1/broadcasts', data: input }),
    launchBroadcast: (id: string, expectedRecipients: number) =>
      request<typeof BroadcastView>({ method: 'POST', url: `/api/v1/broadcasts/${encodeURIComponent(id)}/launch`, data: { expectedRecipients } }),
    broadcastAction: (id: string, action: 'pause' | 'resume' | 'cancel' | 'retry-failed') =>
      request<typeof BroadcastView>({ method: 'POST', url: `/api/v1/broadcasts/${encodeURIComponent(id)}/${action}`, data: {} }),
    apiKeys: () => request<typeof ApiKeyList>({ method: 'GET', url: '/api/v1/api-keys' }),
    createApiKey: (name: string) => request<typeof CreatedApiKey>({ method: 'POST', url: '/api/v1/api-keys', data: { name } }),
    revokeApiKey: (id: string) => request<typeof ApiKeyView>({ method: 'DELETE', url: `/api/v1/api-keys/${encodeURIComponent(id)}` }),
    webhooks: () => request<typeof WebhookEndpointList>({ method: 'GET', url: '/api/v1/webhooks' }),
    createWebhook: (url: string) => request<typeof CreatedWebhookEndpoint>({ method: 'POST', url: '/api/v1/webhooks', data: { url } }),
    webhookDeliveries: (id: string) => request<typeof WebhookDeliveryList>({ method: 'GET', url: `/api/v1/webhooks/${encodeURIComponent(id)}/deliveries` }),
    removeNumber: async (numberId: string): Promise<void> => {
      await call({ method: 'DELETE', url: `/api/v1/numbers/${encodeURIComponent(numberId)}` });
    },
    removeWebhook: async (id: string): Promise<void> => {
      await call({ method: 'DELETE', url: `/api/v1/webhooks/${encodeURIComponent(id)}` });
    },
    automations: () => request<typeof DpAutomationList>({ method: 'GET', url: '/api/v1/automations' }),
    createAutomation: (input: DpAutomationInput) => request<typeof DpAutomationView>({ method: 'POST', url: '/api/v1/automations', data: input }),
    updateAutomation: (id: string, input: DpAutomationInput) =>
      request<typeof DpAutomationView>({ method: 'PUT', url: `/api/v1/automations/${encodeURIComponent(id)}`, data: input }),
    async deleteAutomation(id: string): Promise<void> {
      await call({ method: 'DELETE', url: `/api/v1/automations/${encodeURIComponent(id)}` });
    },
    quickReplies: () => request<typeof QuickReplyList>({ method: 'GET', url: '/api/v1/quick-replies' }),
    createQuickReply: (input: QuickReplyInput) => request<typeof QuickReplyView>({ method: 'POST', url: '/api/v1/quick-replies', data: input }),
    updateQuickReply: (id: string, input: QuickReplyInput) =>
      request<typeof QuickReplyView>({ method: 'PUT', url: `/api/v1/quick-replies/${encodeURIComponent(id)}`, data: input }),
    async deleteQuickReply(id: string): Promise<void> {
      await call({ method: 'DELETE', url: `/api/v1/quick-replies/${encodeURIComponent(id)}` });
    },
    /** A quick reply's text filled from the CRM for the card's contact and lead. */
    fillQuickReply: (id: string, card: { contactId: number | null; leadId: number | null }) =>
      request<typeof QuickReplyFilled>({ method: 'POST', url: `/api/v1/quick-replies/${encodeURIComponent(id)}/fill`, data: card }),
    terminate: (orderId: string) =>
      request<typeof OrderView>({ method: 'POST', url: `/api/v1/orders/${encodeURIComponent(orderId)}/terminate`, data: { confirm: true } }),
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;
