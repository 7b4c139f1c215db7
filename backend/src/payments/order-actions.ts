import type { AnswerClaimInput, FileClaimInput } from '../../../contract/orders';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { AppError, notFound } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { LicenceService } from '../licensing/licence-service';
import { zoneOf } from '../licensing/local-time';
import type { Db } from '../store/db';
import { findOrder, paymentsOf, setOrderStatus, type OrderRow } from './order-store';
import type { PaymentsService } from './payments-service';
import { claimWindowOpen, delayRefundAvailable, lastWindowDay, RULE_DAYS } from './ten-day-rules';

const DAY = 86_400_000;
/** The operator answers a claim within 30 calendar days (SPEC §4.4). */
export const CLAIM_ANSWER_DAYS = 30;

/** The admin's actions on a paid order under the 10-day rules, and the operator's answers (SPEC §4.4). */
export function createOrderActions(deps: { db: Db; clock: Clock; ids: IdGenerator; payments: PaymentsService; licences: LicenceService }) {
  const { db, clock } = deps;

  async function ownOrder(accountId: string, orderId: string): Promise<{ order: OrderRow; zone: string }> {
    const order = await findOrder(db, orderId);
    // Another account's order is not found, never forbidden: its existence is not ours to tell.
    if (!order || order.account_id !== accountId) throw notFound('No such order in this account.');
    const [account] = await db.query<{ timezone: string | null }>('select timezone from accounts where id = $1', [accountId]);
    return { order, zone: zoneOf(account?.timezone) };
  }

  return {
    ownOrder,

    /** A paid licence not activated within 10 calendar days may be terminated with the whole amount back. */
    async delayRefund(accountId: string, userId: number, orderId: string) {
      const { order, zone } = await ownOrder(accountId, orderId);
      const paidAt = order.paid_at ? new Date(order.paid_at) : null;
      if (order.status !== 'paid' || !paidAt || !delayRefundAvailable({ paidAt, activatedAt: order.activated_at ? new Date(order.activated_at) : null, zone, now: clock.now() })) {
        throw new AppError(
          'delay_refund_unavailable',
          paidAt && order.status === 'paid'
            ? `A delay refund is offered only when a paid licence is still not activated after ${RULE_DAYS} calendar days, that is from ${lastWindowDay(paidAt, zone)} 24:00 on.`
            : 'A delay refund applies only to a paid order whose licence was never activated.',
          409,
        );
      }
      const received = (await paymentsOf(db, order.id)).filter((p) => p.provider !== 'credit').reduce((s, p) => s + p.amount, 0);
      await deps.payments.refund(order.id, received, 'delay_refund', async (tx) => {
        await tx.query('update orders set terminated_at = $2 where id = $1', [order.id, clock.now()]);
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'order.delay_refund', details: { orderId, amount: received }, at: clock.now() });
      });
    },

    /** Ending a licence early for any other reason refunds nothing; the licence stays usable to its end. */
    async terminate(accountId: string, userId: number, orderId: string) {
      const { order } = await ownOrder(accountId, orderId);
      if (order.status !== 'active' || order.terminated_at) throw new AppError('cannot_terminate', 'Only an active licence can be terminated.', 409);
      const at = clock.now();
      await db.transaction(async (tx) => {
        await setOrderStatus(tx, order.id, 'active', at, { terminated_at: at });
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'order.terminated', details: { orderId, refund: 0 }, at });
      });
    },

    /** A written claim about the scope of the rights granted, until the end of the 10th calendar day after payment. */
    async fileClaim(accountId: string, userId: number, orderId: string, input: FileClaimInput & { attachments: { name: string; contentType: string; data: string }[] }) {
      const { order, zone } = await ownOrder(accountId, orderId);
      const paidAt = order.paid_at ? new Date(order.paid_at) : null;
      if (!paidAt || ['cancelled', 'refunded'].includes(order.status)) throw new AppError('order_not_paid', 'A claim can be filed about a paid order only.', 409);
      const at = clock.now();
      if (!claimWindowOpen(paidAt, zone, at)) {
        throw new AppError(
          'claim_window_closed',
          `The claim window for order ${order.number} closed at the end of ${lastWindowDay(paidAt, zone)} (${zone}); the licence is deemed provided in full and properly. You can still write to support as an ordinary request.`,
          409,
        );
      }
      const id = deps.ids();
      const attachments = input.attachments.map((a) => ({ name: a.name, contentType: a.contentType, size: Buffer.from(a.data, 'base64').length, data: a.data }));
      await db.transaction(async (tx) => {
        await tx.query(
          `insert into claims (id, account_id, order_id, text, attachments, status, filed_by, filed_at, answer_due_by) values ($1, $2, $3, $4, $5, 'open', $6, $7, $8)`,
          [id, accountId, order.id, input.text, JSON.stringify(attachments), userId, at, new Date(at.getTime() + CLAIM_ANSWER_DAYS * DAY)],
        );
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'claim.filed', details: { claimId: id, orderId }, at });
      });
      return id;
    },

    /** The operator answers: upheld with a refund, a fix or an extension, or rejected with reasons. */
    async answerClaim(claimId: string, input: AnswerClaimInput) {
      const [claim] = await db.query<{ id: string; order_id: string; account_id: string; status: string }>('select id, order_id, account_id, status from claims where id = $1', [claimId]);
      if (!claim) throw notFound('No such claim.');
      if (claim.status !== 'open') throw new AppError('claim_answered', 'This claim was already answered.', 409);
      const order = (await findOrder(db, claim.order_id))!;
      const received = (await paymentsOf(db, order.id)).filter((p) => p.provider !== 'credit').reduce((s, p) => s + p.amount, 0);
      const at = clock.now();
      const resolution = input.decision === 'rejected' ? 'rejected' : input.resolution!;
      const refundAmount = resolution === 'full_refund' ? received : resolution === 'partial_refund' ? input.refundAmount! : null;
      const record = async (tx: Parameters<Parameters<Db['transaction']>[0]>[0]) => {
        await tx.query(
          `update claims set status = $2, answer = $3, resolution = $4, refund_amount = $5, extension_days = $6, answered_at = $7 where id = $1`,
          [claim.id, input.decision, input.answer, resolution, refundAmount, input.extensionDays ?? null, at],
        );
        await recordAudit(tx, { accountId: claim.account_id, actor: 'operator', action: 'claim.answered', details: { claimId, decision: input.decision, resolution, refundAmount }, at });
      };
      if (refundAmount) {
        await deps.payments.refund(order.id, refundAmount, 'claim_upheld', async (tx) => {
          // A full refund takes the licence back; a partial one leaves it running.
          if (resolution === 'full_refund') await deps.licences.revokeOrder(order.id, tx);
          await record(tx);
        });
      } else {
        await db.transaction(async (tx) => {
          if (resolution === 'extension') await deps.licences.extend(claim.account_id, input.extensionDays!, tx);
          await record(tx);
        });
      }
    },

    /** The operator records a bank transfer: the date the funds arrived is the payment date. */
    async confirmTransfer(orderId: string, input: { amount: number; currency: string; receivedAt: Date; reference: string }) {
      const order = await findOrder(db, orderId);
      if (!order) throw notFound('No such order.');
      if (order.method !== 'invoice') throw new AppError('not_an_invoice', `Order ${order.number} is paid by card, not by bank transfer.`, 409);
      return deps.payments.recordPayment({ orderId, provider: 'bank', providerRef: input.reference, amount: input.amount, currency: input.currency, receivedAt: input.receivedAt });
    },
  };
}
export type OrderActions = ReturnType<typeof createOrderActions>;
