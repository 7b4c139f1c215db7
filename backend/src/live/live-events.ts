import type { Response } from 'express';
import type { Logger } from 'pino';
import { currentAccess } from '../auth/access';
import { readAccess } from '../auth/auth-store';
import { notify } from './live-store';
import type { Session } from '../auth/session-token';
import type { Clock } from '../clock';
import type { IdGenerator } from '../ids';
import { recordWebhookEvents } from '../public-api/outgoing-webhooks';
import type { Db, Queryable } from '../store/db';

/** What changed, for one account; the widget fetches the details itself. */
export interface LiveEvent {
  accountId: string;
  type: 'message.created' | 'message.status' | 'conversation.updated' | 'broadcast.updated';
  conversationId?: string;
  messageId?: string;
  broadcastId?: string;
}

export const CHANNEL = 'wabridge_live';

/** What an event is stamped with: the publisher's injected clock (its time) and id generator (its ids). */
export interface Stamps {
  clock: Clock;
  ids: IdGenerator;
}

/** Publishes inside the caller's transaction: listeners hear of it only once it is committed. */
export async function publish(tx: Queryable, event: LiveEvent, stamps: Stamps): Promise<void> {
  await notify(tx, CHANNEL, event);
  // The account's webhook receivers hear of the same change, from the same transaction.
  await recordWebhookEvents(tx, event, stamps);
}

/**
 * Tells every instance that who may use the account changed (a user disabled or their role changed,
 * an uninstall, consent withdrawn), inside the caller's transaction: open streams are checked again
 * once it is committed.
 */
export async function publishAccessChange(tx: Queryable, accountId: string): Promise<void> {
  await notify(tx, CHANNEL, { accountId, type: ACCESS_CHANGED });
}

const ACCESS_CHANGED = 'access.changed';
/** How often open streams are checked without a notification: expired sessions, and changes made by hand. */
const SWEEP_MS = 10_000;

interface Stream {
  res: Response;
  session: Session;
}

/**
 * Server push to the widget (Server-Sent Events). Events travel through PostgreSQL NOTIFY, so an
 * agent connected to one instance hears what another instance processed; each stream is scoped to
 * its session's account. A stream lives no longer than the access it was opened with (SPEC §9): it
 * is closed when its session expires, its user is disabled or changes role (the widget opens it
 * again and gets what the new role may see), or the account is uninstalled or withdraws consent.
 */
export function createLiveEvents(deps: { db: Db; clock: Clock; logger: Logger }) {
  const streams = new Map<string, Set<Stream>>();
  let stop: (() => Promise<void>) | undefined;
  let sweeper: ReturnType<typeof setInterval> | undefined;

  function deliver(raw: string) {
    let event: LiveEvent | { accountId: string; type: typeof ACCESS_CHANGED };
    try {
      event = JSON.parse(raw);
    } catch {
      return;
    }
    if (event.type === ACCESS_CHANGED) {
      void recheck([...(streams.get(event.accountId) ?? [])]);
      return;
    }
    const { conversationId, messageId, broadcastId } = event;
    for (const { res } of streams.get(event.accountId) ?? []) {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify({ conversationId, messageId, broadcastId })}\n\n`);
    }
  }

  /** Ends the streams whose session expired or whose access changed since they were opened. */
  async function recheck(list: Stream[]): Promise<number> {
    const now = deps.clock.now().getTime();
    const open = list.filter((s) => !s.res.writableEnded);
    let rows;
    try {
      rows = await readAccess(
        deps.db,
        open.map((s) => s.session),
      );
    } catch (err) {
      // The store is away: the next sweep tries again.
      deps.logger.warn({ err }, 'live streams could not be checked');
      return 0;
    }
    const byUser = new Map(rows.map((r) => [`${r.account_id}:${r.kommo_user_id}`, r]));
    let closed = 0;
    for (const stream of open) {
      const { session } = stream;
      const access = currentAccess(byUser.get(`${session.accountId}:${session.userId}`));
      const expired = session.expiresAt !== undefined && session.expiresAt.getTime() <= now;
      if (expired || 'refused' in access || access.role !== session.role) {
        stream.res.end();
        closed++;
      }
    }
    return closed;
  }

  const sweep = () => recheck([...streams.values()].flatMap((set) => [...set]));

  return {
    async start() {
      stop ??= await deps.db.listen(CHANNEL, deliver);
      sweeper ??= setInterval(() => void sweep(), SWEEP_MS);
      sweeper.unref();
    },
    async close() {
      clearInterval(sweeper);
      sweeper = undefined;
      await stop?.();
      for (const set of streams.values()) for (const { res } of set) res.end();
      streams.clear();
    },
    /** Checks every open stream now (the timer does it every 10 s); answers how many were closed. */
    sweep,
    /** Holds the response open as an event stream for the session's account until the client goes away or its access ends. */
    attach(session: Session, res: Response) {
      res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      res.write(': connected\n\n');
      const stream: Stream = { res, session };
      const set = streams.get(session.accountId) ?? new Set();
      set.add(stream);
      streams.set(session.accountId, set);
      // A comment now and then keeps proxies from closing an idle stream.
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
      heartbeat.unref();
      res.on('close', () => {
        clearInterval(heartbeat);
        set.delete(stream);
        if (!set.size && streams.get(session.accountId) === set) streams.delete(session.accountId);
      });
    },
  };
}
export type LiveEvents = ReturnType<typeof createLiveEvents>;
