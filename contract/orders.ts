import { z } from 'zod';
import { Currency, PaidPlanId } from './licence';

export const OrderAction = z.enum(['buy', 'renew', 'upgrade']);
export const PaymentMethod = z.enum(['card', 'invoice']);
export const OrderStatus = z.enum(['awaiting_payment', 'partially_paid', 'paid', 'active', 'cancelled', 'expired', 'refunded', 'partially_refunded']);

export const OrderQuoteQuery = z.object({ action: OrderAction, plan: PaidPlanId, currency: Currency });
export const OrderQuote = z.object({
  kind: z.enum(['new', 'renewal', 'upgrade']),
  plan: PaidPlanId,
  currency: Currency,
  price: z.number().int(),
  creditApplied: z.number().int(),
  amountDue: z.number().int(),
  /** For an upgrade: whole days left on the current period and their value. */
  remainingDays: z.number().int().nullable(),
  unusedValue: z.number().int().nullable(),
});
export type OrderQuote = z.infer<typeof OrderQuote>;

export const CreateOrderInput = z.object({ action: OrderAction, plan: PaidPlanId, currency: Currency, method: PaymentMethod }).strict();
export type CreateOrderInput = z.infer<typeof CreateOrderInput>;

export const ClaimView = z.object({
  id: z.string(),
  status: z.enum(['open', 'upheld', 'rejected']),
  text: z.string(),
  attachments: z.array(z.object({ name: z.string(), size: z.number().int() })),
  filedAt: z.iso.datetime(),
  answerDueBy: z.iso.datetime(),
  answer: z.string().nullable(),
  resolution: z.string().nullable(),
  refundAmount: z.number().int().nullable(),
  extensionDays: z.number().int().nullable(),
  answeredAt: z.iso.datetime().nullable(),
});
export type ClaimView = z.infer<typeof ClaimView>;

export const OrderView = z.object({
  id: z.string(),
  number: z.string(),
  kind: z.enum(['new', 'renewal', 'upgrade']),
  plan: PaidPlanId,
  currency: Currency,
  method: PaymentMethod,
  price: z.number().int(),
  creditApplied: z.number().int(),
  amountDue: z.number().int(),
  amountReceived: z.number().int(),
  amountRefunded: z.number().int(),
  status: OrderStatus,
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  paidAt: z.iso.datetime().nullable(),
  activatedAt: z.iso.datetime().nullable(),
  terminatedAt: z.iso.datetime().nullable(),
  /** Paid more than a day ago and still not active: the widget shows the support contact. */
  activationPending: z.boolean(),
  claimWindow: z.object({ lastDay: z.iso.date(), closesAt: z.iso.datetime(), open: z.boolean() }).nullable(),
  delayRefundAvailable: z.boolean(),
  canTerminate: z.boolean(),
  checkoutUrl: z.string().nullable(),
  invoiceUrl: z.string().nullable(),
  history: z.array(z.object({ at: z.iso.datetime(), event: z.enum(['created', 'payment', 'refund', 'activated', 'terminated', 'expired', 'cancelled']), amount: z.number().int().nullable(), detail: z.string().nullable() })),
  claims: z.array(ClaimView),
});
export type OrderView = z.infer<typeof OrderView>;

export const OrderList = z.object({ orders: z.array(OrderView), supportEmail: z.string(), credit: z.record(Currency, z.number().int()) });
export type OrderList = z.infer<typeof OrderList>;

export const OrderIdParams = z.object({ orderId: z.string().min(1).max(100) });
export const ClaimIdParams = z.object({ claimId: z.string().min(1).max(100) });

export const Attachment = z.object({
  name: z.string().trim().min(1).max(200),
  contentType: z.string().max(100),
  /** Base64, at most 2 MB decoded. */
  data: z.base64().max(2_800_000),
});
export const FileClaimInput = z.object({ text: z.string().trim().min(10, 'describe the problem in at least 10 characters').max(10_000), attachments: z.array(Attachment).max(3).default([]) }).strict();
export type FileClaimInput = z.input<typeof FileClaimInput>;

export const TerminateInput = z.object({ confirm: z.literal(true, 'confirm must be true') }).strict();

export const AnswerClaimInput = z
  .object({
    decision: z.enum(['upheld', 'rejected']),
    answer: z.string().trim().min(1).max(10_000),
    resolution: z.enum(['full_refund', 'partial_refund', 'extension', 'fix']).optional(),
    refundAmount: z.number().int().positive().optional(),
    extensionDays: z.number().int().min(1).max(365).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.decision === 'upheld' && !v.resolution) ctx.addIssue({ code: 'custom', path: ['resolution'], message: 'an upheld claim needs a resolution' });
    if (v.resolution === 'partial_refund' && !v.refundAmount) ctx.addIssue({ code: 'custom', path: ['refundAmount'], message: 'a partial refund needs an amount' });
    if (v.resolution === 'extension' && !v.extensionDays) ctx.addIssue({ code: 'custom', path: ['extensionDays'], message: 'an extension needs a number of days' });
  });
export type AnswerClaimInput = z.infer<typeof AnswerClaimInput>;

export const TransferInput = z
  .object({ amount: z.number().int().positive(), currency: Currency, receivedAt: z.iso.datetime({ offset: true }), reference: z.string().trim().min(1).max(100) })
  .strict();
export const OperatorRefundInput = z.object({ amount: z.number().int().positive(), note: z.string().max(500).optional() }).strict();
