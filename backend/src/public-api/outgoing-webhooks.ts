import { createHmac, randomBytes } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import axios from 'axios';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { AppError, notFound } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { LiveEvent, Stamps } from '../live/live-events';
import type { Db, Queryable } from '../store/db';
import { durableQueue } from '../store/durable-queue';
import {
  activeEndpointIds,
  broadcastForEvent,
  countActiveEndpoints,
  disableEndpoint,
  endpointExists,
  endpointsToDeliver,
  findEndpoint,
  insertEndpoint,
  latestDeliveries,
  listEndpoints,
  messageForEvent,
  queueDelivery,
} from './webhook-store';
import { addressAllowed, checkWebhookUrl, guardedLookup, WebhookTargetRefused, type WebhookTargetPolicy } from './webhook-target';

/** How long a delivery being sent is not taken by another drain (each attempt ends well within it). */
const LEASE_MS = 60_000;
const BATCH = 50;
/** Deliveries to one receiver in flight at once (per instance): a slow receiver holds only its own. */
const PER_ENDPOINT = 4;

/** What the delivery log says of a failed attempt: a category, never the error's own text (SPEC §7). */
export function failureCategory(err: unknown): string {
  const chain: unknown[] = [err, (err as { cause?: unknown } | null)?.cause];
  if (chain.some((e) => e instanceof WebhookTargetRefused)) return 'address not allowed';
  const code = String((err as { code?: unknown } | null)?.code ?? (err as { cause?: { code?: unknown } } | null)?.cause?.code ?? '');
  if (axios.isCancel(err) || code === 'ERR_CANCELED' || code === 'ECONNABORTED' || code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'name not found';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_BAD_RESPONSE') return 'connection reset';
  if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO/.test(code)) return 'TLS error';
  return 'network error';
}

/**
 * What an account's webhook receivers hear of a change published to the live stream: a customer's
 * message, a status of one of ours, a broadcast's progress and its end. Called inside the
 * transaction that made the change, so an event exists exactly when the change does.
 */
export async function recordWebhookEvents(tx: Queryable, event: LiveEvent, stamps: Stamps): Promise<void> {
  const endpoints = await activeEndpointIds(tx, event.accountId);
  if (!endpoints.length) return;
  let type: string | undefined;
  let data: Record<string, unknown> = {};
  let eventId: string = stamps.ids();
  if ((event.type === 'message.created' || event.type === 'message.status') && event.messageId) {
    const m = await messageForEvent(tx, event.messageId);
    if (!m) return;
    if (event.type === 'message.created' && m.direction === 'in') {
      type = 'message.received';
      data = {
        conversationId: event.conversationId,
        messageId: event.messageId,
        numberId: m.number_id,
        from: `+${m.wa_id}`,
        type: m.type,
        content: m.content,
        receivedAt: new Date(m.created_at).toISOString(),
      };
    } else if (event.type === 'message.status') {
      type = 'message.status';
      data = {
        conversationId: event.conversationId,
        messageId: event.messageId,
        to: `+${m.wa_id}`,
        status: m.status,
        error: m.error_code === null ? null : { code: m.error_code, title: m.error_title },
      };
    }
  } else if (event.type === 'broadcast.updated' && event.broadcastId) {
    const b = await broadcastForEvent(tx, event.broadcastId);
    if (!b || b.status === 'draft') return;
    const by = b.counts;
    const finished = b.status === 'completed' || b.status === 'cancelled';
    type = finished ? 'broadcast.finished' : 'broadcast.progress';
    if (finished) eventId = `broadcast.finished:${event.broadcastId}`;
    data = {
      broadcastId: event.broadcastId,
      name: b.name,
      status: b.status,
      counts: { queued: (by.queued ?? 0) + (by.sending ?? 0), sent: by.sent ?? 0, failed: by.failed ?? 0, cancelled: by.cancelled ?? 0 },
    };
  }
  if (!type) return;
  const at = stamps.clock.now();
  const payload = { id: eventId, type, createdAt: at.toISOString(), data };
  // Due at once (whatever clock the sender runs on); retries are scheduled from the sender's clock.
  for (const endpointId of endpoints) await queueDelivery(tx, { id: stamps.ids(), eventId, endpointId, accountId: event.accountId, type, payload, at });
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Outgoing webhooks (SPEC §7): receivers an admin registers, each with a signing secret shown once;
 * events POSTed signed (`X-Wabridge-Signature: sha256=<HMAC of the raw body>`), with an event id to
 * deduplicate on, retried with growing pauses for a day until a 2xx.
 */
export function createOutgoingWebhooks(deps: {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  box: SecretBox;
  logger: Logger;
  target: WebhookTargetPolicy;
  timeoutMs?: number;
}) {
  const { db, clock } = deps;
  const queue = durableQueue('webhook_deliveries', clock);
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const view = (e: { id: string; url: string; created_at: Date; disabled_at: Date | null }) => ({
    id: e.id,
    url: e.url,
    createdAt: new Date(e.created_at).toISOString(),
    disabledAt: e.disabled_at ? new Date(e.disabled_at).toISOString() : null,
  });
  // Every connection resolves the receiver's name through the guard (no keep-alive: each is checked).
  const lookup = guardedLookup(deps.target);
  const httpAgent = new HttpAgent({ lookup });
  const httpsAgent = new HttpsAgent({ lookup });
  const inFlight = new Map<string, number>();
  const running = new Set<Promise<void>>();

  async function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
    // A name is checked by the agent's lookup; an address written in the URL never reaches a lookup.
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !addressAllowed(host, deps.target)) throw new WebhookTargetRefused(`${host} is not a public address`);
    const response = await axios.post(url, body, {
      headers,
      httpAgent,
      httpsAgent,
      // Wall-clock time for the whole exchange (axios' own timeout is only an idle timeout).
      signal: AbortSignal.timeout(timeoutMs),
      maxRedirects: 0,
      // Only the status matters: the answer's body is never read (at most what arrived with the headers).
      responseType: 'stream',
      validateStatus: () => true,
      transformRequest: (d) => d,
      proxy: false,
    });
    (response.data as NodeJS.ReadableStream & { destroy(): void }).destroy();
    return response.status;
  }

  async function deliver(row: { id: string; endpoint_id: string; url: string; secret_enc: string; payload: unknown; type: string; event_id: string }) {
    const body = JSON.stringify(row.payload);
    const secret = deps.box.decrypt(row.secret_enc);
    let status = 0;
    let error: string | null = null;
    try {
      status = await post(row.url, body, {
        'Content-Type': 'application/json',
        'User-Agent': 'Wabridge-Webhooks/1.0',
        'X-Wabridge-Event': row.type,
        'X-Wabridge-Event-Id': row.event_id,
        'X-Wabridge-Signature': signature(secret, body),
      });
    } catch (err) {
      error = failureCategory(err);
    }
    if (status >= 200 && status < 300) {
      await queue.done(db, [row.id], { also: { last_status: status, next_attempt_at: null } });
      return;
    }
    // Tried again by the receiver backoff (30 s doubling up to an hour), given up a day after the event.
    await queue.retryLater(db, row.id, error ?? `HTTP ${status}`, { also: { last_status: status || null } });
  }

  /** Keeps a promise counted until it ends, so `idle()` can wait for it. */
  function track(p: Promise<void>) {
    running.add(p);
    void p.finally(() => running.delete(p));
  }

  /** Starts a delivery and keeps count of its receiver's deliveries in flight; when it ends, more may go. */
  function start(row: Parameters<typeof deliver>[0]) {
    inFlight.set(row.endpoint_id, (inFlight.get(row.endpoint_id) ?? 0) + 1);
    track(
      deliver(row)
        .catch((err) => deps.logger.warn({ err, deliveryId: row.id }, 'webhook delivery bookkeeping failed'))
        .finally(() => {
          const left = (inFlight.get(row.endpoint_id) ?? 1) - 1;
          if (left) inFlight.set(row.endpoint_id, left);
          else inFlight.delete(row.endpoint_id);
          kick();
        }),
    );
  }

  // One claim at a time per instance; a kick during a claim asks for one more round after it.
  let claiming = false;
  let again = false;
  function kick() {
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    track(
      (async () => {
        try {
          do {
            again = false;
            await claimAndStart();
          } while (again);
        } catch (err) {
          deps.logger.warn({ err }, 'webhook deliveries could not be claimed');
        } finally {
          claiming = false;
        }
      })(),
    );
  }

  async function claimAndStart(): Promise<number> {
    const claimed = await queue.claim<{ id: string; endpoint_id: string; payload: unknown; type: string; event_id: string }>(db, {
      limit: BATCH,
      leaseMs: LEASE_MS,
      perGroup: { column: 'endpoint_id', max: PER_ENDPOINT, skip: [...inFlight.keys()] },
    });
    if (!claimed.length) return 0;
    const endpoints = await endpointsToDeliver(db, [...new Set(claimed.map((c) => c.endpoint_id))]);
    const byId = new Map(endpoints.map((e) => [e.id, e]));
    for (const row of claimed) {
      const endpoint = byId.get(row.endpoint_id);
      if (endpoint) start({ ...row, url: endpoint.url, secret_enc: endpoint.secret_enc });
    }
    return claimed.length;
  }

  return {
    async list(accountId: string) {
      return (await listEndpoints(db, accountId)).map(view);
    },

    async create(accountId: string, userId: number, url: string) {
      const refused = await checkWebhookUrl(url, deps.target);
      if (refused)
        throw new AppError(
          'webhook_url_not_allowed',
          `This receiver URL is not allowed: ${refused}. Webhooks go only to https receivers at public addresses.`,
          400,
        );
      if ((await countActiveEndpoints(db, accountId)) >= 5)
        throw new AppError('too_many_webhooks', 'An account can have 5 webhook receivers; remove one first.', 409);
      const secret = `whsec_${randomBytes(32).toString('base64url')}`;
      const id = deps.ids();
      await insertEndpoint(db, { id, accountId, url, secretEnc: deps.box.encrypt(secret), createdBy: userId, at: clock.now() });
      const row = await findEndpoint(db, id);
      return { ...view(row!), secret };
    },

    async remove(accountId: string, id: string) {
      if (!(await disableEndpoint(db, accountId, id, clock.now()))) throw notFound('No such webhook receiver in this account.');
    },

    /** The latest deliveries to a receiver, for the log in the advanced settings. */
    async deliveries(accountId: string, id: string) {
      if (!(await endpointExists(db, accountId, id))) throw notFound('No such webhook receiver in this account.');
      const rows = await latestDeliveries(db, id);
      const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
      return rows.map((r) => ({
        eventId: r.event_id,
        type: r.type as 'message.received',
        createdAt: iso(r.created_at)!,
        attempts: Number(r.attempts),
        lastStatus: r.last_status,
        lastError: r.last_error,
        deliveredAt: iso(r.delivered_at),
        gaveUpAt: iso(r.gave_up_at),
        nextAttemptAt: iso(r.next_attempt_at),
      }));
    },

    /**
     * Starts sending what is due and returns without waiting for the receivers: a delivery being sent
     * is leased so another instance does not send it too, a receiver gets at most PER_ENDPOINT at a time
     * from this instance, and each one that ends lets the next due ones go. `idle()` waits for them.
     */
    async drain(): Promise<void> {
      kick();
    },

    /** Resolves when every delivery started so far has ended (each ends within its wall-clock limit). */
    async idle(): Promise<void> {
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}
export type OutgoingWebhooks = ReturnType<typeof createOutgoingWebhooks>;
