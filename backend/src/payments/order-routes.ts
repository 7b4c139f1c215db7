import { Router } from 'express';
import { CreateOrderInput, FileClaimInput, OrderIdParams, OrderQuoteQuery, TerminateInput, type OrderList } from '../../../contract/orders';
import { requireAdmin } from '../auth/require-session';
import type { Clock } from '../clock';
import { notFound } from '../http/app-error';
import { parse } from '../http/parse';
import type { LicenceService } from '../licensing/licence-service';
import type { Db } from '../store/db';
import { creditBalance, listOrders } from './order-store';
import type { OrderActions } from './order-actions';
import { orderView, orderViewById } from './order-views';
import type { PaymentsService } from './payments-service';

export function orderRoutes(deps: { db: Db; clock: Clock; payments: PaymentsService; actions: OrderActions; licences: LicenceService; supportEmail: string; invoiceUrl: (id: string) => string }): Router {
  const router = Router();
  const ctx = async (accountId: string) => ({ zone: (await deps.licences.snapshot(accountId)).zone, now: deps.clock.now(), invoiceUrl: deps.invoiceUrl });
  const view = async (accountId: string, orderId: string) => {
    const found = await orderViewById(deps.db, orderId, await ctx(accountId));
    if (!found) throw notFound('No such order in this account.');
    return found;
  };

  router.get('/orders/quote', async (req, res) => {
    const session = requireAdmin(res);
    res.json(await deps.payments.quote(session.accountId, parse(OrderQuoteQuery, req.query, 'query')));
  });

  router.get('/orders', async (_req, res) => {
    const session = requireAdmin(res);
    const c = await ctx(session.accountId);
    const orders = await Promise.all((await listOrders(deps.db, session.accountId)).map((o) => orderView(deps.db, o, c)));
    const body: OrderList = {
      orders,
      supportEmail: deps.supportEmail,
      credit: { USD: await creditBalance(deps.db, session.accountId, 'USD'), EUR: await creditBalance(deps.db, session.accountId, 'EUR') },
    };
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
