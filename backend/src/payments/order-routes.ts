import { Router } from 'express';
import { CreateOrderInput, FileClaimInput, OrderIdParams, OrderQuoteQuery, TerminateInput, type OrderList } from '../../../contract/orders';
import { requireAdmin } from '../auth/require-session';
import { parse } from '../http/parse';
import type { OrderActions } from './order-actions';
import type { OrderViews } from './order-views';
import type { PaymentsService } from './payments-service';

export function orderRoutes(deps: { payments: PaymentsService; actions: OrderActions; views: OrderViews }): Router {
  const router = Router();
  const view = (accountId: string, orderId: string) => deps.views.one(accountId, orderId);

  router.get('/orders/quote', async (req, res) => {
    const session = requireAdmin(res);
    res.json(await deps.payments.quote(session.accountId, parse(OrderQuoteQuery, req.query, 'query')));
  });

  router.get('/orders', async (_req, res) => {
    const session = requireAdmin(res);
    const body: OrderList = await deps.views.list(session.accountId);
    res.json(body);
  });

  router.post('/orders', async (req, res) => {
    const session = requireAdmin(res);
    const input = parse(CreateOrderInput, req.body, 'body');
    const { order, reused } = await deps.payments.createOrder(session.accountId, session.userId, input);
    // The same thing asked again while its order is open: that order, not a second one.
    res.status(reused ? 200 : 201).json(await view(session.accountId, order.id));
  });

  router.post('/orders/:orderId/checkout', async (req, res) => {
    const session = requireAdmin(res);
    const { orderId } = parse(OrderIdParams, req.params, 'params');
    await deps.actions.ownOrder(session.accountId, orderId);
    await deps.payments.payNow(orderId);
    res.json(await view(session.accountId, orderId));
  });

  router.get('/orders/:orderId', async (req, res) => {
    const session = requireAdmin(res);
    const { orderId } = parse(OrderIdParams, req.params, 'params');
    await deps.actions.ownOrder(session.accountId, orderId);
    res.json(await view(session.accountId, orderId));
  });

  router.post('/orders/:orderId/claims', async (req, res) => {
    const session = requireAdmin(res);
    const { orderId } = parse(OrderIdParams, req.params, 'params');
    const input = parse(FileClaimInput, req.body, 'body');
    await deps.actions.fileClaim(session.accountId, session.userId, orderId, input);
    res.status(201).json(await view(session.accountId, orderId));
  });

  router.post('/orders/:orderId/delay-refund', async (req, res) => {
    const session = requireAdmin(res);
    const { orderId } = parse(OrderIdParams, req.params, 'params');
    await deps.actions.delayRefund(session.accountId, session.userId, orderId);
    res.json(await view(session.accountId, orderId));
  });

  router.post('/orders/:orderId/terminate', async (req, res) => {
    const session = requireAdmin(res);
    const { orderId } = parse(OrderIdParams, req.params, 'params');
    parse(TerminateInput, req.body, 'body');
    await deps.actions.terminate(session.accountId, session.userId, orderId);
    res.json(await view(session.accountId, orderId));
  });

  return router;
}
