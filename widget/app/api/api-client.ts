import axios, { type AxiosInstance, isAxiosError } from 'axios';
import type { z } from 'zod';
import { MeResponse, UserList, UserView } from '../../../contract/account';
import { AccountAdmin, AccountSettings, ConsentView, LicenceStatus, PlanList, type RegistrationInput } from '../../../contract/licence';
import { OrderList, OrderQuote, OrderView, type CreateOrderInput, type FileClaimInput } from '../../../contract/orders';
import { ErrorBody } from '../../../contract/error';
import { ApiError } from './api-error';

export interface ApiClientOptions {
  baseURL: string;
  getToken(): string | null;
  /** Called on 401 so the host can fetch a fresh session. */
  onUnauthorized?(): void;
  http?: AxiosInstance;
}

/** The widget's only way to the backend: responses are parsed with the shared contract. */
export function createApiClient(options: ApiClientOptions) {
  const http = options.http ?? axios.create({ baseURL: options.baseURL, timeout: 15_000 });

  async function request<S extends z.ZodType>(schema: S, config: { method: string; url: string; data?: unknown }): Promise<z.infer<S>> {
    const token = options.getToken();
    try {
      const response = await http.request({ ...config, headers: token ? { Authorization: `Bearer ${token}` } : {} });
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
    fileClaim: (orderId: string, input: FileClaimInput) => request(OrderView, { method: 'POST', url: `/api/v1/orders/${encodeURIComponent(orderId)}/claims`, data: input }),
    delayRefund: (orderId: string) => request(OrderView, { method: 'POST', url: `/api/v1/orders/${encodeURIComponent(orderId)}/delay-refund`, data: {} }),
    terminate: (orderId: string) => request(OrderView, { method: 'POST', url: `/api/v1/orders/${encodeURIComponent(orderId)}/terminate`, data: { confirm: true } }),
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;
