import { z } from 'zod/mini';
import { Currency, PaidPlanId } from './licence';

export const OrderAction = z.enum(['buy', 'renew', 'upgrade']);
export const PaymentMethod = z.enum(['card', 'invoice']);
export const OrderStatus = z.enum(['awaiting_payment', 'partially_paid', 'paid', 'active', 'cancelled', 'expired', 'refunded', 'partially_refunded']);
/** What the admin sees: the order's status, or `refund_pending` while money owed back has not left yet (SPEC §4.3). */
export const OrderViewStatus = z.enum([
  'awaiting_payment',
  'partially_paid',
  'paid',
  'active',
  'cancelled',
  'expired',
  'refunded',
  'partially_refunded',
  'refund_pending',
]);

export const OrderQuoteQuery = z.object({ action: OrderAction, plan: PaidPlanId, currency: Currency });
export const OrderQuote = z.object({
  kind: z.enum(['new', 'renewal', 'upgrade']),
  plan: PaidPlanId,
  currency: Currency,
  price: z.int(),
  creditApplied: z.int(),
  amountDue: z.int(),
  /** For an upgrade: whole days left on the current period and their value. */
  remainingDays: z.nullable(z.int()),
  unusedValue: z.nullable(z.int()),
});
export type OrderQuote = z.infer<typeof OrderQuote>;

export const CreateOrderInput = z.strictObject({ action: OrderAction, plan: PaidPlanId, currency: Currency, method: PaymentMethod });
export type CreateOrderInput = z.infer<typeof CreateOrderInput>;

export const ClaimView = z.object({
  id: z.string(),
  status: z.enum(['open', 'upheld', 'rejected']),
  text: z.string(),
  attachments: z.array(z.object({ name: z.string(), size: z.int() })),
  filedAt: z.iso.datetime(),
  answerDueBy: z.iso.datetime(),
  answer: z.nullable(z.string()),
  resolution: z.nullable(z.string()),
  refundAmount: z.nullable(z.int()),
  extensionDays: z.nullable(z.int()),
  answeredAt: z.nullable(z.iso.datetime()),
});
export type ClaimView = z.infer<typeof ClaimView>;

/**
 * Why an order closed or where money went, for the admin (the widget says it in the admin's language):
 * why an order expired or was cancelled, why credit was added, why a refund was made.
 */
export const HistoryWhy = z.enum([
  'unpaid',
  'replaced',
  'overpaid_over_10_percent',
  'checkout_unavailable',
  'overpayment',
  'order_not_completed',
  'received_before_close',
  'paid_after_close',
  'payment_after_settlement',
  'order_closed',
]);
export type HistoryWhy = z.infer<typeof HistoryWhy>;

export const OrderView = z.object({
  id: z.string(),
  number: z.string(),
  kind: z.enum(['new', 'renewal', 'upgrade']),
  plan: PaidPlanId,
  currency: Currency,
  method: PaymentMethod,
  price: z.int(),
  creditApplied: z.int(),
  amountDue: z.int(),
  amountReceived: z.int(),
  amountRefunded: z.int(),
  status: OrderViewStatus,
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  paidAt: z.nullable(z.iso.datetime()),
  activatedAt: z.nullable(z.iso.datetime()),
  terminatedAt: z.nullable(z.iso.datetime()),
  /** Paid more than a day ago and still not active: the widget shows the support contact. */
  activationPending: z.boolean(),
  claimWindow: z.nullable(z.object({ lastDay: z.iso.date(), closesAt: z.iso.datetime(), open: z.boolean() })),
  delayRefundAvailable: z.boolean(),
  canTerminate: z.boolean(),
  checkoutUrl: z.nullable(z.string()),
  invoiceUrl: z.nullable(z.string()),
  history: z.array(
    z.object({
      at: z.iso.datetime(),
      event: z.enum(['created', 'payment', 'refund', 'refund_sent', 'credit', 'activated', 'terminated', 'expired', 'cancelled']),
      amount: z.nullable(z.int()),
      detail: z.nullable(z.string()),
      why: z.optional(HistoryWhy),
    }),
  ),
  claims: z.array(ClaimView),
});
export type OrderView = z.infer<typeof OrderView>;

export const OrderList = z.object({ orders: z.array(OrderView), supportEmail: z.string(), credit: z.record(Currency, z.int()) });
export type OrderList = z.infer<typeof OrderList>;

export const OrderIdParams = z.object({ orderId: z.string().check(z.minLength(1), z.maxLength(100)) });
export const ClaimIdParams = z.object({ claimId: z.string().check(z.minLength(1), z.maxLength(100)) });

export const Attachment = z.object({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  contentType: z.string().check(z.maxLength(100)),
  /** Base64, at most 2 MB decoded. */
  data: z.base64().check(z.maxLength(2_800_000)),
});
export const FileClaimInput = z.strictObject({
  text: z.string().check(z.trim(), z.minLength(10, 'describe the problem in at least 10 characters'), z.maxLength(10_000)),
  attachments: z._default(z.array(Attachment).check(z.maxLength(3)), []),
});
export type FileClaimInput = z.input<typeof FileClaimInput>;

export const TerminateInput = z.strictObject({ confirm: z.literal(true, 'confirm must be true') });

export const AnswerClaimInput = z
  .strictObject({
    decision: z.enum(['upheld', 'rejected']),
    answer: z.string().check(z.trim(), z.minLength(1), z.maxLength(10_000)),
    resolution: z.optional(z.enum(['full_refund', 'partial_refund', 'extension', 'fix'])),
    refundAmount: z.optional(z.int().check(z.positive())),
    extensionDays: z.optional(z.int().check(z.gte(1), z.lte(365))),
  })
  .check(
    z.superRefine((v, ctx) => {
      if (v.decision === 'upheld' && !v.resolution) ctx.addIssue({ code: 'custom', path: ['resolution'], message: 'an upheld claim needs a resolution' });
      if (v.resolution === 'partial_refund' && !v.refundAmount)
        ctx.addIssue({ code: 'custom', path: ['refundAmount'], message: 'a partial refund needs an amount' });
      if (v.resolution === 'extension' && !v.extensionDays)
        ctx.addIssue({ code: 'custom', path: ['extensionDays'], message: 'an extension needs a number of days' });
    }),
  );
export type AnswerClaimInput = z.infer<typeof AnswerClaimInput>;

export const TransferInput = z.strictObject({
  amount: z.int().check(z.positive()),
  currency: Currency,
  receivedAt: z.iso.datetime({ offset: true }),
  reference: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
});
export const OperatorRefundInput = z.strictObject({ amount: z.int().check(z.positive()), note: z.optional(z.string().check(z.maxLength(500))) });
export const RefundIdParams = z.object({ refundId: z.string().check(z.minLength(1), z.maxLength(100)) });
/** The operator sent a bank refund: the reference of that outgoing transfer. */
export const RefundSentInput = z.strictObject({ reference: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)) });
