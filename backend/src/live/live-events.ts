import type { Response } from 'express';
import type { Logger } from 'pino';
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

const CHANNEL = 'wabridge_live';

/** Publishes inside the caller's transaction: listeners hear of it only once it is committed. */
export async function publish(tx: Queryable, event: LiveEvent): Promise<void> {
  await tx.query('select pg_notify($1, $2)', [CHANNEL, JSON.stringify(event)]);
  // The account's webhook receivers hear of the same change, from the same transaction.
  await recordWebhookEvents(tx, event, new Date());
}

/**
 * Server push to the widget (Server-Sent Events). Events travel through PostgreSQL NOTIFY, so an
 * agent connected to one instance hears what another instance processed; each stream is scoped to
 * its session's account.
 */
export function createLiveEvents(deps: { db: Db; logger: Logger }) {
  const streams = new Map<string, Set<Response>>();
  let stop: (() => Promise<void>) | undefined;

  function deliver(raw: string) {
    let event: LiveEvent;
    try {
      event = JSON.parse(raw);
    } catch {
      return;
    }
    for (const res of streams.get(event.accountId) ?? []) {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify({ conversationId: event.conversationId, messageId: event.messageId, broadcastId: event.broadcastId })}\n\n`);
    }
  }

  return {
    async start() {
      stop ??= await deps.db.listen(CHANNEL, deliver);
    },
    async close() {
      await stop?.();
      for (const set of streams.values()) for (const res of set) res.end();
      streams.clear();
    },
    /** Holds the response open as an event stream for the account until the client goes away. */
    attach(accountId: string, res: Response) {
      res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      res.write(': connected\n\n');
      const set = streams.get(accountId) ?? new Set();
      set.add(res);
      streams.set(accountId, set);
      // A comment now and then keeps proxies from closing an idle stream.
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
      heartbeat.unref();
      res.on('close', () => {
        clearInterval(heartbeat);
        set.delete(res);
      });
    },
  };
}
export type LiveEvents = ReturnType<typeof createLiveEvents>;
