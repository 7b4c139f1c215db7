import type { Logger } from 'pino';
import type { BackgroundTasks } from '../background-tasks';
import type { Clock } from '../clock';
import { badRequest } from '../http/app-error';
import type { Db } from '../store/db';
import { durableQueue, errorText } from '../store/durable-queue';
import { InvalidSignatureError, type PaymentProvider, type VerifiedEvent } from './payment-provider';
import { storePaymentEvent } from './order-store';
import type { PaymentsService } from './payments-service';

/** How long acting on a claimed batch of events may take before another drain may take them (a crashed one's run out). */
const LEASE_MS = 10 * 60_000;

/**
 * The card provider's webhook: verify, store, acknowledge, then act. An event is stored before it is
 * acknowledged and acted on from the store, so a crash after the 200 loses nothing; a repeated event
 * (same id) is acknowledged and not acted on twice; payments are recorded once per provider payment,
 * whatever the order the events come in.
 */
export function createPaymentEvents(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  tasks: BackgroundTasks;
  provider: PaymentProvider;
  payments: PaymentsService;
}) {
  const { db, clock, logger } = deps;

  const queue = durableQueue('payment_events', clock);

  /** Acts on claimed events; one that fails stays in the inbox, due again by the queue's backoff. */
  async function act(rows: { id: string; type: string; payload: unknown }[]): Promise<void> {
    for (const row of rows) {
      try {
        const event = await deps.provider.interpret({ id: row.id, type: row.type, payload: row.payload });
        if (event.kind === 'payment') {
          if (!event.orderId) throw new Error(`payment ${event.paymentRef} names no order`);
          await deps.payments.recordPayment({
            orderId: event.orderId,
            provider: 'stripe',
            providerRef: event.paymentRef,
            amount: event.amount,
            currency: event.currency,
            receivedAt: event.paidAt,
          });
        } else if (event.kind === 'refunds') {
          for (const refund of event.refunds) await deps.payments.recordProviderRefund(refund);
        }
        await queue.done(db, [row.id]);
      } catch (err) {
        logger.error({ err, eventId: row.id }, 'payment event not processed; it stays in the inbox');
        await queue.retryLater(db, row.id, errorText(err));
      }
    }
  }

  /** Leased while acted on, so another instance's housekeeping does not act on it at the same time. */
  const claim = (options: { limit: number; only?: string[] }) =>
    queue.claim<{ id: string; type: string; payload: unknown }>(db, { ...options, leaseMs: LEASE_MS });

  return {
    /** Verifies and stores the event; the caller answers 200 once this resolves. */
    async receive(rawBody: Buffer, signature: string | undefined): Promise<void> {
      let event: VerifiedEvent;
      try {
        if (!signature) throw new InvalidSignatureError('no signature');
        event = deps.provider.verifyEvent(rawBody, signature, clock.now());
      } catch (err) {
        if (err instanceof InvalidSignatureError) {
          logger.warn({ reason: err.message }, 'payment webhook refused: bad signature');
          throw badRequest('invalid_signature', 'The webhook signature does not match.');
        }
        throw err;
      }
      if (await storePaymentEvent(db, event, clock.now())) deps.tasks.run('payment event', async () => act(await claim({ limit: 1, only: [event.id] })));
    },

    /** Acts on stored events not acted on yet (at start, and on a schedule). */
    async processPending(): Promise<void> {
      await act(await claim({ limit: 500 }));
    },
  };
}
export type PaymentEvents = ReturnType<typeof createPaymentEvents>;
