import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { BackgroundTasks } from '../background-tasks';
import type { Clock } from '../clock';
import { unauthorized } from '../http/app-error';
import type { Db } from '../store/db';
import { insertInboxBodies } from './inbox-store';
import type { InboxProcessor } from './inbox-processor';

/**
 * Meta's webhook: the verification handshake, the signature over the raw body, and the durable
 * inbox. A POST is stored before it is acknowledged; processing happens from the store.
 */
export function createWebhookIntake(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  tasks: BackgroundTasks;
  appSecret: string;
  verifyToken: string;
  processor: InboxProcessor;
}) {
  const secret = Buffer.from(deps.appSecret);

  // Bodies that arrive while a write is under way go together in the next one: under load, one
  // round trip and one commit store many webhooks, and none is acknowledged before it is stored.
  const waiting: { body: string; at: Date; settle: (err?: unknown) => void }[] = [];
  let writing = false;
  function store(body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      waiting.push({ body, at: deps.clock.now(), settle: (err) => (err ? reject(err) : resolve()) });
      if (!writing) void write();
    });
  }
  async function write() {
    writing = true;
    while (waiting.length) {
      const batch = waiting.splice(0, 200);
      try {
        await insertInboxBodies(deps.db, batch);
        for (const b of batch) b.settle();
      } catch (err) {
        for (const b of batch) b.settle(err);
      }
    }
    writing = false;
  }

  return {
    verify(query: { mode?: string; token?: string; challenge?: string }): string {
      if (query.mode === 'subscribe' && query.challenge && sameSecret(query.token ?? '', deps.verifyToken)) return query.challenge;
      throw unauthorized('verification_failed', 'The verify token does not match.');
    },

    async receive(raw: Buffer, signature: string | undefined): Promise<void> {
      const given = /^sha256=([0-9a-f]{64})$/.exec(signature ?? '')?.[1];
      const expected = createHmac('sha256', secret).update(raw).digest();
      if (!given || !timingSafeEqual(Buffer.from(given, 'hex'), expected)) {
        deps.logger.warn('WhatsApp webhook refused: bad signature');
        throw unauthorized('invalid_signature', 'The X-Hub-Signature-256 header does not match the body.');
      }
      let body = raw.toString('utf8');
      try {
        JSON.parse(body);
      } catch {
        // Signed by Meta but not JSON: keep it for a person to look at rather than lose it.
        body = JSON.stringify({ unparsable: raw.toString('base64') });
      }
      await store(body);
      // One drain per instance takes the stored bodies in the order they came, so messages a customer
      // sent within the same second are stored, and shown, in that order.
      deps.tasks.drain('whatsapp_inbox', () => deps.processor.processPending());
    },
  };
}
export type WebhookIntake = ReturnType<typeof createWebhookIntake>;

/** Compares a secret without leaking, by timing, how much of it matched (digests make the lengths equal). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
