import { Router } from 'express';
import { UpgradeQuoteQuery, type LicenceStatus, type PlanList } from '../../../contract/licence';
import { requireAdmin, sessionOf } from '../auth/require-session';
import { parse } from '../http/parse';
import type { LicenceService } from './licence-service';
import type { PaidPlanId, PriceList } from './plans';

export function licenceRoutes(deps: { licences: LicenceService; prices: PriceList }): Router {
  const router = Router();

  router.get('/licence', async (_req, res) => {
    const body: LicenceStatus = await deps.licences.status(sessionOf(res).accountId);
    res.json(body);
  });

  router.get('/plans', (_req, res) => {
    const { prices } = deps;
    const body: PlanList = {
      periodDays: prices.periodDays,
      demo: prices.demo,
      plans: (Object.keys(prices.plans) as PaidPlanId[]).map((id) => ({ id, ...prices.plans[id] })),
    };
    res.json(body);
  });

  router.get('/licence/upgrade-quote', async (req, res) => {
    const session = requireAdmin(res);
    const { plan, currency } = parse(UpgradeQuoteQuery, req.query, 'query');
    res.json(await deps.licences.upgradeQuote(session.accountId, plan, currency));
  });

  return router;
}
