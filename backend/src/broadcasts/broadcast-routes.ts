import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { BroadcastIdParams, CreateBroadcastInput, LaunchInput } from '../../../contract/broadcasts';
import { NumberIdParams } from '../../../contract/whatsapp';
import { sessionOf } from '../auth/require-session';
import { narrowedTo, viewerOf } from '../auth/viewer';
import { parse } from '../http/parse';
import type { Idempotency } from '../public-api/idempotency';
import type { BroadcastReports } from './broadcast-reports';
import type { BroadcastService } from './broadcast-service';

/** Broadcasts of the session's account: drafts with their dry run, launch, and the controls (SPEC §6). */
export function broadcastRoutes(deps: { broadcasts: BroadcastService; idempotency: Idempotency; reports: BroadcastReports }): Router {
  const router = Router();
  const { broadcasts } = deps;

  router.get('/broadcasts', async (_req, res) => {
    res.json({ broadcasts: await broadcasts.list(sessionOf(res).accountId) });
  });
  router.get('/audiences', async (_req, res) => {
    res.json({ audiences: await broadcasts.savedAudiences(sessionOf(res).accountId) });
  });
  router.get('/numbers/:numberId/broadcast-templates', async (req, res) => {
    const { numberId } = parse(NumberIdParams, req.params, 'params');
    res.json({ templates: await broadcasts.templates(sessionOf(res).accountId, numberId) });
  });
  // A client that retries a create after a timeout gets the draft it made, not a second one.
  router.post('/broadcasts', deps.idempotency.middleware(), async (req, res) => {
    const { accountId, userId } = sessionOf(res);
    res.status(201).json(await broadcasts.create(accountId, userId, parse(CreateBroadcastInput, req.body, 'body'), narrowedTo(viewerOf(res))));
  });
  router.get('/broadcasts/:broadcastId', async (req, res) => {
    const { broadcastId } = parse(BroadcastIdParams, req.params, 'params');
    res.json(await broadcasts.view(sessionOf(res).accountId, broadcastId, narrowedTo(viewerOf(res))));
  });
  // The report of every recipient (SPEC §6), as a CSV or XLSX download (decision 034).
  for (const format of ['csv', 'xlsx'] as const) {
    router.get(`/broadcasts/:broadcastId/report.${format}`, async (req, res) => {
      const { broadcastId } = parse(BroadcastIdParams, req.params, 'params');
      const report = await deps.reports.open(sessionOf(res), broadcastId, format);
      res.setHeader('content-type', report.contentType);
      res.setHeader('content-disposition', `attachment; filename="broadcast-report.${format}"; filename*=UTF-8''${encodeURIComponent(report.fileName)}`);
      res.setHeader('cache-control', 'no-store');
      // Written as the client takes it: a slow download holds the next page back, not memory; a
      // download given up stops the reading.
      await pipeline(Readable.from(report.body), res).catch((err: unknown) => {
        if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
      });
    });
  }
  router.post('/broadcasts/:broadcastId/launch', async (req, res) => {
    const { accountId, userId } = sessionOf(res);
    const { broadcastId } = parse(BroadcastIdParams, req.params, 'params');
    const input = parse(LaunchInput, req.body ?? {}, 'body');
    res.json(await broadcasts.launch(accountId, userId, broadcastId, input.expectedRecipients));
  });
  for (const [path, action] of [
    ['pause', broadcasts.pause],
    ['resume', broadcasts.resume],
    ['cancel', broadcasts.cancel],
    ['retry-failed', broadcasts.retryFailed],
  ] as const) {
    router.post(`/broadcasts/:broadcastId/${path}`, async (req, res) => {
      const { accountId, userId } = sessionOf(res);
      const { broadcastId } = parse(BroadcastIdParams, req.params, 'params');
      res.json(await action(accountId, userId, broadcastId));
    });
  }
  return router;
}
