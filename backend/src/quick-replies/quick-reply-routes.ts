import { Router } from 'express';
import { QuickReplyFillInput, QuickReplyIdParams, QuickReplyInput } from '../../../contract/quick-replies';
import { sessionOf } from '../auth/require-session';
import { parse } from '../http/parse';
import type { QuickReplies } from './quick-replies';

/** Quick replies over HTTP (SPEC §5): the service (`quick-replies.ts`) holds the rules of who may do what. */
export function quickReplyRoutes(replies: QuickReplies): Router {
  const router = Router();

  router.get('/quick-replies', async (_req, res) => {
    res.json({ quickReplies: await replies.list(sessionOf(res)) });
  });

  router.post('/quick-replies', async (req, res) => {
    const input = parse(QuickReplyInput, req.body, 'body');
    res.status(201).json(await replies.add(sessionOf(res), input));
  });

  router.put('/quick-replies/:quickReplyId', async (req, res) => {
    const { quickReplyId } = parse(QuickReplyIdParams, req.params, 'params');
    const input = parse(QuickReplyInput, req.body, 'body');
    res.json(await replies.change(sessionOf(res), quickReplyId, input));
  });

  router.delete('/quick-replies/:quickReplyId', async (req, res) => {
    const { quickReplyId } = parse(QuickReplyIdParams, req.params, 'params');
    await replies.remove(sessionOf(res), quickReplyId);
    res.status(204).end();
  });

  router.post('/quick-replies/:quickReplyId/fill', async (req, res) => {
    const { quickReplyId } = parse(QuickReplyIdParams, req.params, 'params');
    const input = parse(QuickReplyFillInput, req.body, 'body');
    res.json(await replies.fill(sessionOf(res), quickReplyId, input));
  });

  return router;
}
