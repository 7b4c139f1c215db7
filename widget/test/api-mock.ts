import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { MeResponse, UserView } from '../../contract/account';

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
    timezone: 'America/Sao_Paulo',
    kommoPlan: { name: 'Advanced', seenAt: '2026-11-21T10:00:00.000Z' },
  },
  user: admin,
};

/** What the widget sent to the mocked backend, to assert on. */
export const received: { method: string; path: string; authorization: string | null; body: unknown }[] = [];

async function record(request: Request) {
  const url = new URL(request.url);
  const body = request.method === 'GET' ? undefined : await request.clone().json().catch(() => undefined);
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
