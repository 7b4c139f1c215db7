import type { Logger } from 'pino';
import type { BackgroundTasks } from '../background-tasks';
import type { Clock } from '../clock';
import { badRequest } from '../http/app-error';
import type { Db } from '../store/db';
import { InvalidSignatureError, type PaymentProvider, type VerifiedEvent } from './payment-provider';
import type { PaymentsService } from './payments-service';

/**
 * The card provider's webhook: verify, store, acknowledge, then act. An event is stored before it is
 * acknowledged and acted on from the store, so a crash after the 200 loses nothing; a repeated event
 * (same id) is acknowledged and not acted on twice; payments are recorded once per provider payment,
 * whatever the order the events come in.
 */
export function createPaymentEvents(deps: { db: Db; clock: Clock; logger: Logger; tasks: BackgroundTasks; provider: PaymentProvider; payments: PaymentsService }) {
  const { db, clock, logger } = deps;

  async function process(id: string): Promise<void> {
    const [row] = await db.query<{ id: string; type: string; payload: unknown; processed_at: Date | null }>('select * from payment_events where id = $1', [id]);
    if (!row || row.processed_at) return;
    try {
      const event = await deps.provider.interpret({ id: row.id, type: row.type, payload: row.payload });
      if (event.kind === 'payment') {
        if (!event.orderId) throw new Error(`payment ${event.paymentRef} names no order`);
        await deps.payments.recordPayment({ orderId: event.orderId, provider: 'stripe', providerRef: event.paymentRef, amount: event.amount, currency: event.currency, receivedAt: event.paidAt });
      } else if (event.kind === 'refunds') {
        for (const refund of event.refunds) await deps.payments.recordProviderRefund(refund);
      }
      await db.query('update payment_events set processed_at = $2, error = null where id = $1', [id, clock.now()]);
    } catch (err) {
      logger.error({ err, eventId: id }, 'payment event not processed; it stays in the inbox');
      await db.query('update payment_events set error = $2 where id = $1', [id, err instanceof Error ? err.message : String(err)]);
    }
  }

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
      const stored = await db.query('insert into payment_events (id, type, payload, received_at) values ($1, $2, $3, $4) on conflict (id) do nothing returning id', [
        event.id,
        event.type,
        JSON.stringify(event.payload),
        clock.now(),
      ]);
      if (stored.length) deps.tasks.run('payment event', () => process(event.id));
    },

    /** Acts on stored events not acted on yet (at start, and on a schedule). */
    async processPending(): Promise<void> {
      const rows = await db.query<{ id: string }>('select id from payment_events where processed_at is null order by received_at limit 500');
      for (const { id } of rows) await process(id);
    },
  };
}
export type PaymentEvents = ReturnType<typeof createPaymentEvents>;
