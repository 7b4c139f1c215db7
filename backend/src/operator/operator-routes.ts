import { Router, type RequestHandler } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { OutageInput, TermsPublishInput } from '../../../contract/licence';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { unauthorized } from '../http/app-error';
import { parse } from '../http/parse';
import type { LicenceService } from '../licensing/licence-service';
import type { RegistrationService } from '../registration/registration-service';
import type { Db } from '../store/db';

/** The vendor operator authenticates with `Authorization: Bearer $OPERATOR_TOKEN`; without a token configured the API is closed. */
function requireOperator(token: string | undefined): RequestHandler {
  const expected = token ? createHash('sha256').update(token).digest() : undefined;
  return (req, _res, next) => {
    const given = /^Bearer (\S+)$/.exec(req.header('authorization') ?? '')?.[1];
    const digest = given ? createHash('sha256').update(given).digest() : undefined;
    if (!expected || !digest || !timingSafeEqual(expected, digest)) throw unauthorized('operator_only', 'This needs the operator token.');
    next();
  };
}

export function operatorRoutes(deps: { db: Db; clock: Clock; token?: string; licences: LicenceService; registrations: RegistrationService }): Router {
  const router = Router();
  router.use(requireOperator(deps.token));

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
