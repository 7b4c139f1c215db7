import type { Queryable } from '../store/db';

/** The SQL of outgoing webhooks: receivers (endpoints) and the events queued for them (deliveries). */

export interface EndpointRow {
  id: string;
  url: string;
  created_at: Date;
  disabled_at: Date | null;
}

export interface DeliveryRow {
  event_id: string;
  type: string;
  created_at: Date;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  gave_up_at: Date | null;
  next_attempt_at: Date | null;
}

/** The ids of the account's active receivers. */
export async function activeEndpointIds(db: Queryable, accountId: string): Promise<string[]> {
  const endpoints = await db.query<{ id: string }>('select id from webhook_endpoints where account_id = $1 and disabled_at is null', [accountId]);
  return endpoints.map((e) => e.id);
}

/** The message with its conversation's customer and number, for a message event. */
export async function messageForEvent(db: Queryable, messageId: string) {
  const [m] = await db.query<{
    direction: string;
    type: string;
    content: unknown;
    status: string;
    error_code: number | null;
    error_title: string | null;
    wa_id: string;
    number_id: string;
    created_at: Date;
  }>(
    `select m.direction, m.type, m.content, m.status, m.error_code, m.error_title, m.created_at, c.wa_id, c.number_id from messages m join conversations c on c.id = m.conversation_id where m.id = $1`,
    [messageId],
  );
  return m;
}

/** The broadcast's status and name, and how many of its recipients (not excluded) are in each state. */
export async function broadcastForEvent(
  db: Queryable,
  broadcastId: string,
): Promise<{ status: string; name: string; counts: Record<string, number> } | undefined> {
  const [b] = await db.query<{ status: string; name: string }>('select status, name from broadcasts where id = $1', [broadcastId]);
  if (!b || b.status === 'draft') return b ? { ...b, counts: {} } : undefined;
  const counts = await db.query<{ state: string; n: string }>(
    'select state, count(*) as n from broadcast_recipients where broadcast_id = $1 and state <> $2 group by state',
    [broadcastId, 'excluded'],
  );
  return { ...b, counts: Object.fromEntries(counts.map((c) => [c.state, Number(c.n)])) };
}

/** Queues the event for one receiver, once (by event id); due at once, whatever clock the sender runs on. */
export async function queueDelivery(
  db: Queryable,
  d: { id: string; eventId: string; endpointId: string; accountId: string; type: string; payload: unknown; at: Date },
): Promise<void> {
  await db.query(
    `insert into webhook_deliveries (id, event_id, endpoint_id, account_id, type, payload, created_at, next_attempt_at) values ($1, $2, $3, $4, $5, $6, $7, '-infinity')
     on conflict (endpoint_id, event_id) do nothing`,
    [d.id, d.eventId, d.endpointId, d.accountId, d.type, JSON.stringify(d.payload), d.at],
  );
}

/** These receivers' addresses and sealed secrets, those still active. */
export function endpointsToDeliver(db: Queryable, ids: string[]) {
  return db.query<{ id: string; url: string; secret_enc: string }>(
    'select id, url, secret_enc from webhook_endpoints where id = any($1::text[]) and disabled_at is null',
    [ids],
  );
}

export function listEndpoints(db: Queryable, accountId: string): Promise<EndpointRow[]> {
  return db.query<EndpointRow>('select * from webhook_endpoints where account_id = $1 and disabled_at is null order by created_at', [accountId]);
}

export async function countActiveEndpoints(db: Queryable, accountId: string): Promise<number> {
  const active = await db.query('select 1 from webhook_endpoints where account_id = $1 and disabled_at is null', [accountId]);
  return active.length;
}

export async function insertEndpoint(
  db: Queryable,
  e: { id: string; accountId: string; url: string; secretEnc: string; createdBy: number; at: Date },
): Promise<void> {
  await db.query('insert into webhook_endpoints (id, account_id, url, secret_enc, created_by, created_at) values ($1, $2, $3, $4, $5, $6)', [
    e.id,
    e.accountId,
    e.url,
    e.secretEnc,
    e.createdBy,
    e.at,
  ]);
}

export async function findEndpoint(db: Queryable, id: string): Promise<EndpointRow | undefined> {
  const [row] = await db.query<EndpointRow>('select * from webhook_endpoints where id = $1', [id]);
  return row;
}

/** Disables the account's receiver (its first disabling time stays); false if the account has no such receiver. */
export async function disableEndpoint(db: Queryable, accountId: string, id: string, at: Date): Promise<boolean> {
  const rows = await db.query('update webhook_endpoints set disabled_at = coalesce(disabled_at, $3) where id = $1 and account_id = $2 returning id', [
    id,
    accountId,
    at,
  ]);
  return rows.length > 0;
}

export async function endpointExists(db: Queryable, accountId: string, id: string): Promise<boolean> {
  const [endpoint] = await db.query('select id from webhook_endpoints where id = $1 and account_id = $2', [id, accountId]);
  return endpoint !== undefined;
}

/** The receiver's 100 latest deliveries. */
export function latestDeliveries(db: Queryable, endpointId: string): Promise<DeliveryRow[]> {
  return db.query<DeliveryRow>('select * from webhook_deliveries where endpoint_id = $1 order by created_at desc limit 100', [endpointId]);
}
