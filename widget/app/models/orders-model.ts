import { computed, signal } from '@preact/signals';
import type { LicenceStatus } from '../../../contract/licence';
import type { CreateOrderInput, FileClaimInput, OrderList, OrderQuote, OrderView } from '../../../contract/orders';
import type { ApiClient } from '../api/api-client';
import type { Describe, FieldLabels } from '../i18n/error-sentence';

/** The claim form's fields, by their labels (the other order actions have no fields). */
const CLAIM_LABELS: FieldLabels = {
  text: 'claims.text',
  attachments: 'claims.attachments',
  'attachments.*': 'claims.attachments',
  'attachments.*.data': 'claims.attachments',
};

type Draft = Pick<CreateOrderInput, 'action' | 'plan' | 'currency' | 'method'>;

/** The order still waiting for money (the backend keeps at most one per account). */
export function openOrder(list: OrderList | null): OrderView | null {
  return list?.orders.find((o) => o.status === 'awaiting_payment' || o.status === 'partially_paid') ?? null;
}

/** Whether placing the draft asks again for the open order (the backend then returns it) rather than replacing it. */
export function asksForOpenOrder(open: OrderView | null, draft: Draft, quote: OrderQuote | null): boolean {
  return Boolean(open && quote && open.kind === quote.kind && open.plan === draft.plan && open.currency === draft.currency && open.method === draft.method);
}

type PlanId = NonNullable<LicenceStatus['plan']>;

const PAID_PLANS = ['user', 'pro', 'vip'] as const;
const ACTION_OF_KIND = { new: 'buy', renewal: 'renew', upgrade: 'upgrade' } as const;

function isPaidPlan(plan: PlanId | null): plan is Draft['plan'] {
  return plan !== null && plan !== 'demo';
}

/**
 * The draft once the admin picks an action: a renewal is of the plan in force (a dearer one is an
 * upgrade, a cheaper one starts at the renewal), an upgrade starts at the next dearer plan.
 * `current` is the paid plan in force, or null when none is.
 */
export function draftForAction(draft: Draft, action: Draft['action'], current: PlanId | null): Draft {
  if (!isPaidPlan(current)) return { ...draft, action };
  if (action === 'renew') return { ...draft, action, plan: current };
  if (action === 'upgrade') return { ...draft, action, plan: PAID_PLANS[PAID_PLANS.indexOf(current) + 1] ?? current };
  return { ...draft, action };
}

/** The plans an action can be for: an upgrade only to a dearer plan than the one in force (a cheaper one waits for the renewal). */
export function plansFor(action: Draft['action'], current: PlanId | null): Draft['plan'][] {
  return action === 'upgrade' && isPaidPlan(current) ? PAID_PLANS.slice(PAID_PLANS.indexOf(current) + 1) : [...PAID_PLANS];
}

/**
 * What the buy panel starts from: the open order's own terms when one waits for money (so the
 * panel shows it and asking again returns it rather than replacing it), else a renewal of the paid
 * plan in force, else a purchase.
 */
export function startingDraft(open: OrderView | null, current: PlanId | null, draft: Draft): Draft {
  if (open) return { action: ACTION_OF_KIND[open.kind], plan: open.plan, currency: open.currency, method: open.method };
  return draftForAction(draft, isPaidPlan(current) ? 'renew' : 'buy', current);
}

/** The admin's orders: pricing a purchase, paying it, and the 10-day actions on paid orders. */
export function createOrdersModel(deps: { api: ApiClient; describe: Describe; openTab: (url: string) => void; onPaid?: () => void }) {
  const list = signal<OrderList | null>(null);
  const draft = signal<Draft>({ action: 'buy', plan: 'user', currency: 'USD', method: 'card' });
  const quote = signal<OrderQuote | null>(null);
  const error = signal<string | null>(null);
  const busy = signal(false);
  const open = computed(() => openOrder(list.value));
  const sameAsOpen = computed(() => asksForOpenOrder(open.value, draft.value, quote.value));
  /** Set when asking for an order returned the one already open: the panel says so instead of a second order appearing. */
  const returned = signal<string | null>(null);

  const failed = (err: unknown) => {
    error.value = deps.describe(err, CLAIM_LABELS);
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
    open,
    sameAsOpen,
    returned,
    load,
    reprice,
    async change(patch: Partial<Draft>) {
      draft.value = { ...draft.value, ...patch };
      returned.value = null;
      await reprice();
    },
    /**
     * Creates the order (or gets back the open one when it is the same) and opens the card page or the
     * invoice in a new tab (the widget lives in an iframe). A different order replaces the open one.
     */
    async place() {
      const before = open.value?.id;
      const order = await act(() => deps.api.createOrder(draft.value));
      if (!order) return;
      returned.value = order.id === before ? order.number : null;
      const url = order.checkoutUrl ?? order.invoiceUrl;
      if (url) deps.openTab(url);
      await load();
    },
    /** "Pay now": the order's card page, opened afresh by the backend when the old one expired. */
    async payNow(orderId: string) {
      const order = await act(() => deps.api.payNow(orderId));
      if (!order) return;
      if (order.checkoutUrl) deps.openTab(order.checkoutUrl);
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
        if (list.value?.orders.some((o) => o.status === 'awaiting_payment' || o.status === 'partially_paid' || (o.status === 'paid' && !o.activatedAt)))
          void load();
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
