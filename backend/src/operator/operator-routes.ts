import { Router } from 'express';
import { OutageInput, TermsPublishInput } from '../../../contract/licence';
import { AnswerClaimInput, ClaimIdParams, OperatorRefundInput, OrderIdParams, RefundIdParams, RefundSentInput, TransferInput } from '../../../contract/orders';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { unauthorized } from '../http/app-error';
import { requireBearer } from '../http/bearer-token';
import { parse } from '../http/parse';
import type { LicenceService } from '../licensing/licence-service';
import type { IdGenerator } from '../ids';
import type { OrderActions } from '../payments/order-actions';
import { bankRefunds, operatorClaims } from '../payments/order-store';
import type { PaymentsService } from '../payments/payments-service';
import type { RegistrationService } from '../registration/registration-service';
import type { Db } from '../store/db';

export function operatorRoutes(deps: {
  db: Db;
  clock: Clock;
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
  const audit = (action: string, details: Record<string, unknown>, accountId: string | null = null) =>
    recordAudit(deps.db, { accountId, actor: 'operator', action, details, at: deps.clock.now() });

  router.get('/accounts', async (_req, res) => {
    const accounts = await deps.db.query<{ id: string; kommo_account_id: string; subdomain: string; name: string | null; status: string; timezone: string | null }>(
      'select id, kommo_account_id, subdomain, name, status, timezone from accounts order by created_at',
    );
    const now = deps.clock.now();
    res.json({
      accounts: await Promise.all(
        accounts.map(async (a) => {
          const s = await deps.licences.snapshot(a.id);
          return { id: a.id, kommoAccountId: Number(a.kommo_account_id), subdomain: a.subdomain, name: a.name, status: a.status, licence: s.state, plan: s.current?.plan ?? null, endsAt: s.current?.ends_at.toISOString() ?? null, asOf: now.toISOString() };
        }),
      ),
    });
  });

  /** Open claims (or all with `?status=all`); those past their answer date without an answer come first, flagged overdue. */
  router.get('/claims', async (req, res) => {
    const claims = await operatorClaims(deps.db, req.query.status === 'all' ? 'all' : 'open', deps.clock.now());
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
    const orders = await deps.db.query<{ id: string; number: string; subdomain: string; status: string; plan: string; amount_due: number; currency: string; method: string; activation_error: string | null }>(
      `select o.id, o.number, a.subdomain, o.status, o.plan, o.amount_due, o.currency, o.method, o.activation_error from orders o join accounts a on a.id = o.account_id
       where ($1::text is null or a.subdomain = $1 or a.id = $1) order by o.created_at desc limit 200`,
      [account],
    );
    res.json({ orders });
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
    const rows = await bankRefunds(deps.db, req.query.status === 'all' ? 'all' : 'to_send');
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
    const [order] = await deps.db.query<{ status: string; activation_error: string | null }>('select status, activation_error from orders where id = $1', [orderId]);
    res.json(order ?? {});
  });

  router.post('/outages', async (req, res) => {
    const input = parse(OutageInput, req.body, 'body');
    const result = await deps.licences.recordOutage({ startsAt: new Date(input.startsAt), endsAt: new Date(input.endsAt), note: input.note });
    await recordAudit(deps.db, { accountId: null, actor: 'operator', action: 'outage.recorded', details: { ...input, ...result }, at: deps.clock.now() });
    res.status(201).json(result);
  });

  router.post('/terms', async (req, res) => {
    const input = parse(TermsPublishInput, req.body, 'body');
    res.status(201).json(await deps.registrations.publishTerms(input));
  });

  return router;
}
