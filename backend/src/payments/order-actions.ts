import type { AnswerClaimInput, FileClaimInput } from '../../../contract/orders';
import { recordAudit } from '../audit/audit-log';
import { DAY_MS, type Clock } from '../clock';
import { AppError, notFound } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { LicenceService } from '../licensing/licence-service';
import { zoneOf } from '../licensing/local-time';
import type { Db, Queryable } from '../store/db';
import {
  accountTimezone,
  claimOrder,
  findOrder,
  insertClaim,
  lockClaim,
  markTerminated,
  recordClaimAnswer,
  setOrderStatus,
  type OrderRow,
} from './order-store';
import type { PaymentsService } from './payments-service';
import { claimWindowOpen, delayRefundAvailable, lastWindowDay, RULE_DAYS } from './ten-day-rules';

/** The operator answers a claim within 30 calendar days (SPEC §4.4). */
export const CLAIM_ANSWER_DAYS = 30;

/** The admin's actions on a paid order under the 10-day rules, and the operator's answers (SPEC §4.4). */
export function createOrderActions(deps: { db: Db; clock: Clock; ids: IdGenerator; payments: PaymentsService; licences: LicenceService }) {
  const { db, clock } = deps;

  async function ownOrder(accountId: string, orderId: string): Promise<{ order: OrderRow; zone: string }> {
    const order = await findOrder(db, orderId);
    // Another account's order is not found, never forbidden: its existence is not ours to tell.
    if (!order || order.account_id !== accountId) throw notFound('No such order in this account.');
    return { order, zone: zoneOf(await accountTimezone(db, accountId)) };
  }

  return {
    ownOrder,

    /** A paid licence not activated within 10 calendar days may be terminated with the whole amount back. */
    async delayRefund(accountId: string, userId: number, orderId: string) {
      const { zone } = await ownOrder(accountId, orderId);
      // Decided on the locked order: a second request at the same moment finds it refunded.
      await deps.payments.refund(orderId, 'delay_refund', 'delay_refund', async (tx, order, received) => {
        const paidAt = order.paid_at ? new Date(order.paid_at) : null;
        if (
          order.status !== 'paid' ||
          !paidAt ||
          !delayRefundAvailable({ paidAt, activatedAt: order.activated_at ? new Date(order.activated_at) : null, zone, now: clock.now() })
        ) {
          throw new AppError(
            'delay_refund_unavailable',
            paidAt && order.status === 'paid'
              ? `A delay refund is offered only when a paid licence is still not activated after ${RULE_DAYS} calendar days, that is from ${lastWindowDay(paidAt, zone)} 24:00 on.`
              : 'A delay refund applies only to a paid order whose licence was never activated.',
            409,
          );
        }
        await markTerminated(tx, order.id, clock.now());
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'order.delay_refund', details: { orderId, amount: received }, at: clock.now() });
        return received;
      });
    },

    /** Ending a licence early for any other reason refunds nothing; the licence stays usable to its end. */
    async terminate(accountId: string, userId: number, orderId: string) {
      await ownOrder(accountId, orderId);
      const at = clock.now();
      await db.transaction(async (tx) => {
        const order = (await findOrder(tx, orderId, true))!;
        if (order.status !== 'active' || order.terminated_at) throw new AppError('cannot_terminate', 'Only an active licence can be terminated.', 409);
        await setOrderStatus(tx, order.id, 'active', at, { terminated_at: at });
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'order.terminated', details: { orderId, refund: 0 }, at });
      });
    },

    /** A written claim about the scope of the rights granted, until the end of the 10th calendar day after payment. */
    async fileClaim(
      accountId: string,
      userId: number,
      orderId: string,
      input: FileClaimInput & { attachments: { name: string; contentType: string; data: string }[] },
    ) {
      const { order, zone } = await ownOrder(accountId, orderId);
      const paidAt = order.paid_at ? new Date(order.paid_at) : null;
      if (!paidAt || ['cancelled', 'refunded'].includes(order.status))
        throw new AppError('order_not_paid', 'A claim can be filed about a paid order only.', 409);
      const at = clock.now();
      if (!claimWindowOpen(paidAt, zone, at)) {
        throw new AppError(
          'claim_window_closed',
          `The claim window for order ${order.number} closed at the end of ${lastWindowDay(paidAt, zone)} (${zone}); the licence is deemed provided in full and properly. You can still write to support as an ordinary request.`,
          409,
        );
      }
      const id = deps.ids();
      const attachments = input.attachments.map((a) => ({
        name: a.name,
        contentType: a.contentType,
        size: Buffer.from(a.data, 'base64').length,
        data: a.data,
      }));
      await db.transaction(async (tx) => {
        await insertClaim(tx, {
          id,
          accountId,
          orderId: order.id,
          text: input.text,
          attachments,
          filedBy: userId,
          at,
          answerDueBy: new Date(at.getTime() + CLAIM_ANSWER_DAYS * DAY_MS),
        });
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'claim.filed', details: { claimId: id, orderId }, at });
      });
      return id;
    },

    /** The operator answers: upheld with a refund, a fix or an extension, or rejected with reasons. */
    async answerClaim(claimId: string, input: AnswerClaimInput) {
      const found = await claimOrder(db, claimId);
      if (!found) throw notFound('No such claim.');
      const at = clock.now();
      const resolution = input.decision === 'rejected' ? 'rejected' : input.resolution!;
      /** Locks the claim and records the answer; a second answer at the same moment finds it answered. */
      const answer = async (tx: Queryable, refundAmount: number | null) => {
        const claim = await lockClaim(tx, claimId);
        if (claim!.status !== 'open') throw new AppError('claim_answered', 'This claim was already answered.', 409);
        await recordClaimAnswer(tx, claimId, {
          decision: input.decision,
          answer: input.answer,
          resolution,
          refundAmount,
          extensionDays: input.extensionDays ?? null,
          at,
        });
        await recordAudit(tx, {
          accountId: claim!.account_id,
          actor: 'operator',
          action: 'claim.answered',
          details: { claimId, decision: input.decision, resolution, refundAmount },
          at,
        });
        return claim!.account_id;
      };
      if (resolution === 'full_refund' || resolution === 'partial_refund') {
        await deps.payments.refund(found.order_id, 'claim_upheld', `claim:${claimId}`, async (tx, order, received) => {
          const refundAmount = resolution === 'full_refund' ? received : input.refundAmount!;
          await answer(tx, refundAmount);
          // A full refund takes the licence back; a partial one leaves it running.
          if (resolution === 'full_refund') await deps.licences.revokeOrder(order.id, tx);
          return refundAmount;
        });
      } else {
        await db.transaction(async (tx) => {
          const accountId = await answer(tx, null);
          if (resolution === 'extension') await deps.licences.extend(accountId, input.extensionDays!, tx);
        });
      }
    },

    /** The operator records a bank transfer: the date the funds arrived is the payment date. */
    async confirmTransfer(orderId: string, input: { amount: number; currency: string; receivedAt: Date; reference: string }) {
      const order = await findOrder(db, orderId);
      if (!order) throw notFound('No such order.');
      if (order.method !== 'invoice') throw new AppError('not_an_invoice', `Order ${order.number} is paid by card, not by bank transfer.`, 409);
      return deps.payments.recordPayment({
        orderId,
        provider: 'bank',
        providerRef: input.reference,
        amount: input.amount,
        currency: input.currency,
        receivedAt: input.receivedAt,
      });
    },
  };
}
export type OrderActions = ReturnType<typeof createOrderActions>;
