import { Router } from 'express';
import { WithdrawConsentInput } from '../../../contract/licence';
import { requireAdmin } from '../auth/require-session';
import { parse } from '../http/parse';
import type { PrivacyService } from './privacy-service';

export function privacyRoutes(deps: { privacy: PrivacyService }): Router {
  const router = Router();
  router.get('/consent', async (_req, res) => {
    res.json(await deps.privacy.consent(requireAdmin(res).accountId));
  });
  router.post('/consent/withdraw', async (req, res) => {
    const session = requireAdmin(res);
    parse(WithdrawConsentInput, req.body, 'body');
    res.json(await deps.privacy.withdrawConsent(session.accountId, session.userId));
  });
  return router;
}
