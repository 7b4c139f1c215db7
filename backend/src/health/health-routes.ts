import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { Db } from '../store/db';
import { migrationsCurrent } from '../store/migrate';

export function healthRoutes(deps: { db: Db; metrics: Registry }): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const checks = { store: false, migrations: false };
    try {
      await deps.db.query('select 1');
      checks.store = true;
      checks.migrations = await migrationsCurrent(deps.db);
    } catch {
      // reported below as not ready
    }
    const ready = checks.store && checks.migrations;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  return router;
}
