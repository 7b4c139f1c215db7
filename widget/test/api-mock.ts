import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { MeResponse, UserView } from '../../contract/account';
import type { AccountAdmin, LicenceStatus, PlanList } from '../../contract/licence';
import type { OrderList, OrderView } from '../../contract/orders';

export const API = 'http://wabridge.test';

export const admin: UserView = { id: 8100001, name: 'Dana Admin', role: 'admin', enabled: true, lastSeenAt: '2026-11-21T10:00:00.000Z' };
export const agent: UserView = { id: 8100002, name: 'Alex Agent', role: 'agent', enabled: true, lastSeenAt: '2026-11-21T09:00:00.000Z' };

export const me: MeResponse = {
  account: {
    id: 'acc-1',
    kommoAccountId: 31000001,
    subdomain: 'wabridge-demo',
    name: 'Wabridge Demo Company',
    status: 'active',
    installedAt: '2026-11-20T12:00:00.000Z',
    installedBy: { id: 8100001, name: 'Dana Admin', login: 'dana.admin@wabridge-demo.example' },
    timezone: 'America/Sao_Paulo',
    kommoPlan: { name: 'Advanced', seenAt: '2026-11-21T10:00:00.000Z' },
  },
  user: admin,
};

const allowed = { allowed: true as const };
const kommoPlanOff = (plan: string) => ({
  allowed: false as const,
  code: 'kommo_plan_required',
  message: `This needs Kommo Advanced or higher; this account is on ${plan}.`,
  action: 'upgrade_kommo' as const,
});

export function licence(kommoPlan = 'Advanced'): LicenceStatus {
  const full = kommoPlan !== 'Base';
  const gated = full ? allowed : kommoPlanOff(kommoPlan);
  return {
    state: 'demo',
    plan: 'demo',
    timezone: 'America/Sao_Paulo',
    period: { startsAt: '2026-11-20T12:00:00.000Z', endsAt: '2026-11-27T12:00:00.000Z', daysLeft: 6 },
    reminderDaysLeft: null,
    inactivity: null,
    allowance: { used: 25, limit: 100, resetsAt: null },
    numberLimit: 1,
    upcoming: [],
    kommoPlan: { name: kommoPlan, tier: full ? 'advanced' : 'base', full },
    capabilities: { chat: allowed, outbound: allowed, broadcasts: gated, automation: gated, auto_create: gated, api_keys: gated },
  };
}

export const plans: PlanList = {
  periodDays: 30,
  demo: { days: 7, messages: 100, numbers: 1, broadcastRecipients: 20 },
  plans: [
    { id: 'user', messages: 10_000, numbers: 3, prices: { USD: 900, EUR: 900 } },
    { id: 'pro', messages: 100_000, numbers: 10, prices: { USD: 1900, EUR: 1900 } },
    { id: 'vip', messages: 1_000_000, numbers: 30, prices: { USD: 4900, EUR: 4900 } },
  ],
};

export const accountAdmin: AccountAdmin = {
  registration: null,
  terms: {
    current: { version: '2026-11-01', title: 'Wabridge licence agreement', body: 'Terms.', effectiveAt: '2026-11-01T00:00:00.000Z' },
    upcoming: null,
    acceptedVersion: null,
    acceptedAt: null,
    acceptanceRequired: true,
  },
  mayOrder: { allowed: false, code: 'registration_required', message: 'Register first.' },
};

export const paidOrder: OrderView = {
  id: 'ord-1',
  number: 'WB-2026-001001',
  kind: 'new',
  plan: 'user',
  currency: 'USD',
  method: 'card',
  price: 900,
  creditApplied: 0,
  amountDue: 900,
  amountReceived: 900,
  amountRefunded: 0,
  status: 'active',
  createdAt: '2026-11-21T10:00:00.000Z',
  expiresAt: '2026-11-24T10:00:00.000Z',
  paidAt: '2026-11-21T10:00:00.000Z',
  activatedAt: '2026-11-21T10:00:00.000Z',
  terminatedAt: null,
  activationPending: false,
  claimWindow: { lastDay: '2026-12-01', closesAt: '2026-12-02T03:00:00.000Z', open: true },
  delayRefundAvailable: false,
  canTerminate: true,
  checkoutUrl: null,
  invoiceUrl: null,
  history: [{ at: '2026-11-21T10:00:00.000Z', event: 'created', amount: 900, detail: null }],
  claims: [],
};

export function orderList(orders: OrderView[] = [paidOrder]): OrderList {
  return { orders, supportEmail: 'support@wabridge.test', credit: { USD: 0, EUR: 0 } };
}

/** What the widget sent to the mocked backend, to assert on. */
export const received: { method: string; path: string; authorization: string | null; body: unknown }[] = [];

async function record(request: Request) {
  const url = new URL(request.url);
  const body =
    request.method === 'GET'
      ? undefined
      : await request
          .clone()
          .json()
          .catch(() => undefined);
  received.push({ method: request.method, path: url.pathname, authorization: request.headers.get('authorization'), body });
}

export const server = setupServer(
  http.get(`${API}/api/v1/me`, async ({ request }) => {
    await record(request);
    return HttpResponse.json(me);
  }),
  http.get(`${API}/api/v1/users`, async ({ request }) => {
    await record(request);
    return HttpResponse.json({ users: [admin, agent] });
  }),
  http.get(`${API}/api/v1/licence`, async ({ request }) => {
    await record(request);
    return HttpResponse.json(licence());
  }),
  http.get(`${API}/api/v1/plans`, () => HttpResponse.json(plans)),
  http.get(`${API}/api/v1/account-admin`, () => HttpResponse.json(accountAdmin)),
  http.get(`${API}/api/v1/settings`, () => HttpResponse.json({ autoCreateFromInbound: false, replyTasks: false })),
  http.get(`${API}/api/v1/broadcasts`, () => HttpResponse.json({ broadcasts: [] })),
  http.get(`${API}/api/v1/audiences`, () => HttpResponse.json({ audiences: [] })),
  http.get(`${API}/api/v1/api-keys`, () => HttpResponse.json({ keys: [] })),
  http.get(`${API}/api/v1/webhooks`, () => HttpResponse.json({ endpoints: [] })),
  http.get(`${API}/api/v1/automations`, () => HttpResponse.json({ automations: [] })),
  http.get(`${API}/api/v1/consent`, () => HttpResponse.json({ withdrawnAt: null, deletionDueBy: null })),
  http.get(`${API}/api/v1/orders`, () => HttpResponse.json(orderList())),
  http.get(`${API}/api/v1/numbers`, () => HttpResponse.json({ numbers: [], limit: 1 })),
  // An installation without Kommo's chat channel (KOMMO_CHANNEL_* unset).
  http.get(`${API}/api/v1/kommo-channel`, () => HttpResponse.json({ available: false, enabled: false, state: 'off', lastError: null })),
  // A card of an account with no number yet.
  http.post(`${API}/api/v1/card-chat`, () => HttpResponse.json({ numbers: [], conversations: [], refused: [], page: null })),
  http.get(`${API}/api/v1/events`, () => new HttpResponse(new ReadableStream({ start() {} }), { headers: { 'Content-Type': 'text/event-stream' } })),
  http.get(`${API}/api/v1/orders/quote`, ({ request }) => {
    const q = new URL(request.url).searchParams;
    return HttpResponse.json({
      kind: 'new',
      plan: q.get('plan'),
      currency: q.get('currency'),
      price: 900,
      creditApplied: 0,
      amountDue: 900,
      remainingDays: null,
      unusedValue: null,
    });
  }),
  http.post(`${API}/api/v1/orders/:id/:action`, async ({ request, params }) => {
    await record(request);
    if (params.action === 'terminate') return HttpResponse.json({ ...paidOrder, terminatedAt: '2026-11-22T10:00:00.000Z', canTerminate: false });
    return HttpResponse.json({
      ...paidOrder,
      claims: [
        {
          id: 'c1',
          status: 'open',
          text: 'x',
          attachments: [],
          filedAt: '2026-11-22T10:00:00.000Z',
          answerDueBy: '2026-12-22T10:00:00.000Z',
          answer: null,
          resolution: null,
          refundAmount: null,
          extensionDays: null,
          answeredAt: null,
        },
      ],
    });
  }),
  http.put(`${API}/api/v1/registration`, async ({ request }) => {
    await record(request);
    return HttpResponse.json(
      {
        error: {
          code: 'invalid_request',
          message: 'The request body is not valid: body.phone.',
          issues: [{ path: 'body.phone', message: 'must be in international format, e.g. +5511912345678', problem: 'invalid_format', format: 'regex' }],
        },
      },
      { status: 400 },
    );
  }),
  http.patch(`${API}/api/v1/users/:id`, async ({ request, params }) => {
    await record(request);
    const body = (await request.json()) as { enabled: boolean };
    const user = [admin, agent].find((u) => u.id === Number(params.id))!;
    return HttpResponse.json({ ...user, enabled: body.enabled });
  }),
);

export function session(token = 'session-token-1') {
  return { token, expiresAt: '2026-11-21T10:15:00.000Z', accountId: 'acc-1', userId: admin.id, role: 'admin' as const };
}

export function context(area: 'card' | 'settings' | 'advanced_settings' | 'list' = 'card') {
  return {
    area,
    entity: area === 'card' ? ('leads' as const) : null,
    entityId: area === 'card' ? 1001 : null,
    contacts: area === 'card' ? [{ id: 2001, name: 'Maria Silva', phones: ['+55 11 91234-5678'] }] : [],
    selected: [],
    user: { id: admin.id, name: 'Dana Admin' },
    language: 'en',
    kommoPlan: 'Advanced',
  };
}
