import { Router } from 'express';
import { OutageInput, TermsPublishInput } from '../../../contract/licence';
import { AnswerClaimInput, ClaimIdParams, OperatorRefundInput, OrderIdParams, RefundIdParams, RefundSentInput, TransferInput } from '../../../contract/orders';
import { unauthorized } from '../http/app-error';
import { requireBearer } from '../http/bearer-token';
import { parse } from '../http/parse';
import type { LicenceService } from '../licensing/licence-service';
import type { IdGenerator } from '../ids';
import type { OrderActions } from '../payments/order-actions';
import type { PaymentsService } from '../payments/payments-service';
import type { RegistrationService } from '../registration/registration-service';
import type { OperatorService } from './operator-service';

export function operatorRoutes(deps: {
  operator: OperatorService;
  ids: IdGenerator;
  token?: string;
  licences: LicenceService;
  registrations: RegistrationService;
  payments: PaymentsService;
  actions: OrderActions;
}): Router {
  const router = Router();
  // The vendor operator authenticates with `Authorization: Bearer $OPERATOR_TOKEN`; without a token configured the API is closed.
  router.use(requireBearer(deps.token, () => unauthorized('operator_only', 'This needs the operator token.')));
  const { operator } = deps;
  const audit = operator.audit;

  router.get('/accounts', async (_req, res) => {
    res.json({ accounts: await operator.accounts() });
  });

  /** Open claims (or all with `?status=all`); those past their answer date without an answer come first, flagged overdue. */
  router.get('/claims', async (req, res) => {
    const claims = await operator.claims(req.query.status === 'all' ? 'all' : 'open');
    res.json({
      claims: claims.map((c) => ({
        id: c.id,
        order: c.order_number,
        account: c.subdomain,
        status: c.status,
        overdue: c.overdue,
        text: c.text,
        filedAt: new Date(c.filed_at).toISOString(),
        answerDueBy: new Date(c.answer_due_by).toISOString(),
      })),
    });
  });

  router.post('/claims/:claimId/answer', async (req, res) => {
    const { claimId } = parse(ClaimIdParams, req.params, 'params');
    const input = parse(AnswerClaimInput, req.body, 'body');
    await deps.actions.answerClaim(claimId, input);
    res.json({ answered: claimId });
  });

  router.get('/orders', async (req, res) => {
    const account = typeof req.query.account === 'string' ? req.query.account : null;
    res.json({ orders: await operator.orders(account) });
  });

  router.post('/orders/:orderId/transfer', async (req, res) => {
    const { orderId } = parse(OrderIdParams, req.params, 'params');
    const input = parse(TransferInput, req.body, 'body');
    const outcome = await deps.actions.confirmTransfer(orderId, { ...input, receivedAt: new Date(input.receivedAt) });
    await audit('transfer.confirmed', { orderId, ...input, outcome });
    res.json({ outcome });
  });

  router.post('/orders/:orderId/refund', async (req, res) => {
    const { orderId } = parse(OrderIdParams, req.params, 'params');
    const input = parse(OperatorRefundInput, req.body, 'body');
    await deps.payments.refund(orderId, 'operator', `operator:${deps.ids()}`, async () => input.amount);
    await audit('refund.issued', { orderId, ...input });
    res.json({ refunded: input.amount });
  });

  /** Bank-transfer refunds waiting to be sent back to the paying account (oldest first); `?status=all` for every bank refund. */
  router.get('/refunds', async (req, res) => {
    const rows = await operator.refunds(req.query.status === 'all' ? 'all' : 'to_send');
    res.json({
      refunds: rows.map((r) => ({
        id: r.id,
        order: r.order_number,
        orderId: r.order_id,
        account: r.subdomain,
        amount: r.amount,
        currency: r.currency,
        reason: r.reason,
        status: r.status,
        // The incoming transfer's reference: where the money goes back to.
        paidFrom: r.paid_from,
        createdAt: new Date(r.created_at).toISOString(),
        sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
        reference: r.reference,
      })),
    });
  });

  router.post('/refunds/:refundId/sent', async (req, res) => {
    const { refundId } = parse(RefundIdParams, req.params, 'params');
    const { reference } = parse(RefundSentInput, req.body, 'body');
    await deps.payments.markRefundSent(refundId, reference);
    res.json({ sent: refundId, reference });
  });

  router.post('/orders/:orderId/activate', async (req, res) => {
    const { orderId } = parse(OrderIdParams, req.params, 'params');
    await deps.payments.activate(orderId);
    await audit('order.activation_retried', { orderId });
    res.json(await operator.orderState(orderId));
  });

  router.post('/outages', async (req, res) => {
    const input = parse(OutageInput, req.body, 'body');
    const result = await deps.licences.recordOutage({ startsAt: new Date(input.startsAt), endsAt: new Date(input.endsAt), note: input.note });
    await audit('outage.recorded', { ...input, ...result });
    res.status(201).json(result);
  });

  router.post('/terms', async (req, res) => {
    const input = parse(TermsPublishInput, req.body, 'body');
    res.status(201).json(await deps.registrations.publishTerms(input));
  });

  return router;
}
