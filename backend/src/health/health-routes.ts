import express, { Router } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { unauthorized } from '../http/app-error';
import { requireBearer } from '../http/bearer-token';
import { errorMiddleware, notFoundHandler } from '../http/error-middleware';
import type { ReadinessChecks } from './readiness';

/**
 * Who may read `GET /metrics` (issue #15): the numbers say how busy each route is and how many claims
 * wait, which is nobody's business outside. With a token, only `Authorization: Bearer <token>` reads
 * them; `publicListener: false` keeps them off the public port (served on a listener of their own, or
 * not at all). The demo serves them openly on the public port, which is loopback unless HOST says otherwise.
 */
export interface MetricsAccess {
  token?: string;
  publicListener: boolean;
}

/** `GET /metrics` behind its access rule. */
export function metricsRoute(metrics: Registry, access: Pick<MetricsAccess, 'token'>): Router {
  const router = Router();
  const guard = access.token ? [requireBearer(access.token, () => unauthorized('metrics_token', 'Metrics need the metrics token.'))] : [];
  router.get('/metrics', ...guard, async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  return router;
}

/** The metrics listener's own app (METRICS_HOST:METRICS_PORT): /metrics and nothing else. */
export function metricsApp(metrics: Registry, access: Pick<MetricsAccess, 'token'>, logger: Logger) {
  const app = express();
  app.disable('x-powered-by');
  app.use(metricsRoute(metrics, access));
  app.use(notFoundHandler);
  app.use(errorMiddleware(logger));
  return app;
}

export function healthRoutes(deps: { readiness: () => Promise<ReadinessChecks>; metrics: Registry; metricsAccess: MetricsAccess }): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const checks = await deps.readiness();
    const ready = checks.store && checks.migrations;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  // Off the public listener, /metrics is simply not there (404 like any unknown path).
  if (deps.metricsAccess.publicListener) router.use(metricsRoute(deps.metrics, deps.metricsAccess));
  return router;
}
