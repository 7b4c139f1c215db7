import { signal } from '@preact/signals';
import type { CreateOrderInput, FileClaimInput, OrderList, OrderQuote } from '../../../contract/orders';
import type { ApiClient } from '../api/api-client';
import { isApiError } from '../api/api-error';

type Draft = Pick<CreateOrderInput, 'action' | 'plan' | 'currency' | 'method'>;

/** The admin's orders: pricing a purchase, paying it, and the 10-day actions on paid orders. */
export function createOrdersModel(deps: { api: ApiClient; openTab: (url: string) => void; onPaid?: () => void }) {
  const list = signal<OrderList | null>(null);
  const draft = signal<Draft>({ action: 'buy', plan: 'user', currency: 'USD', method: 'card' });
  const quote = signal<OrderQuote | null>(null);
  const error = signal<string | null>(null);
  const busy = signal(false);

  const failed = (err: unknown) => {
    error.value = isApiError(err) ? err.message : String(err);
  };

  async function act<T>(fn: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    try {
      const result = await fn();
      error.value = null;
      return result;
    } catch (err) {
      failed(err);
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  async function load() {
    try {
      const before = list.value?.orders.filter((o) => o.status === 'active').length ?? 0;
      list.value = await deps.api.orders();
      if (list.value.orders.filter((o) => o.status === 'active').length !== before) deps.onPaid?.();
    } catch (err) {
      failed(err);
    }
  }

  async function reprice() {
    try {
      quote.value = await deps.api.orderQuote(draft.value);
      error.value = null;
    } catch (err) {
      quote.value = null;
      failed(err);
    }
  }

  return {
    list,
    draft,
    quote,
    error,
    busy,
    load,
    reprice,
    async change(patch: Partial<Draft>) {
      draft.value = { ...draft.value, ...patch };
      await reprice();
    },
    /** Creates the order and opens the card page or the invoice in a new tab (the widget lives in an iframe). */
    async place() {
      const order = await act(() => deps.api.createOrder(draft.value));
      if (!order) return;
      const url = order.checkoutUrl ?? order.invoiceUrl;
      if (url) deps.openTab(url);
      await load();
    },
    async fileClaim(orderId: string, input: FileClaimInput) {
      const ok = await act(() => deps.api.fileClaim(orderId, input));
      if (ok) await load();
      return Boolean(ok);
    },
    async delayRefund(orderId: string) {
      if (await act(() => deps.api.delayRefund(orderId))) await load();
    },
    async terminate(orderId: string) {
      if (await act(() => deps.api.terminate(orderId))) await load();
    },
    /** While an order waits for money or activation, look again every few seconds. */
    watch(): () => void {
      const timer = setInterval(() => {
        if (list.value?.orders.some((o) => o.status === 'awaiting_payment' || o.status === 'partially_paid' || (o.status === 'paid' && !o.activatedAt))) void load();
      }, 3000);
      return () => clearInterval(timer);
    },
  };
}
export type OrdersModel = ReturnType<typeof createOrdersModel>;

/** Reads a file picked in the claim form into the API's attachment shape. */
export async function toAttachment(file: File): Promise<{ name: string; contentType: string; data: string }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return { name: file.name, contentType: file.type || 'application/octet-stream', data: btoa(binary) };
}
