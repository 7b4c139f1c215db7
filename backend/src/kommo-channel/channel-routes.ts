import express, { Router } from 'express';
import { UpdateKommoChannelInput } from '../../../contract/kommo-channel';
import { requireAdmin, sessionOf } from '../auth/require-session';
import { AppError } from '../http/app-error';
import { parse } from '../http/parse';
import type { KommoChannel } from './channel-service';

/** Kommo's outgoing hook (`{webhook URL}/{scope_id}`, given to Kommo with the channel): raw body, for the signature. */
export function channelHookRoutes(channel: KommoChannel): Router {
  const router = Router();
  router.post('/kommo/channel/:scopeId', express.raw({ type: () => true, limit: '256kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const status = await channel.receiveHook(String(req.params.scopeId), raw, req.header('x-signature'));
    if (status === 401) throw new AppError('invalid_signature', 'The hook is not signed with this channel’s secret.', 401);
    if (status === 400) throw new AppError('invalid_request', 'The hook body is not a Chats API v2 message.', 400);
    if (status === 404) throw new AppError('not_found', 'No account has this channel scope connected.', 404);
    res.status(200).json({ ok: true });
  });
  return router;
}

/** The admin's switch for the account's channel. */
export function channelSettingsRoutes(channel: KommoChannel): Router {
  const deps = { channel };
  const router = Router();
  router.get('/kommo-channel', async (_req, res) => {
    res.json(await deps.channel.view(sessionOf(res).accountId));
  });
  router.put('/kommo-channel', async (req, res) => {
    const session = requireAdmin(res);
    const input = parse(UpdateKommoChannelInput, req.body, 'body');
    if (input.enabled && !deps.channel.configured) {
      throw new AppError(
        'channel_not_configured',
        'This Wabridge installation has no Kommo chat channel: the operator sets KOMMO_CHANNEL_ID, KOMMO_CHANNEL_SECRET and KOMMO_CHANNEL_BOT_ID.',
        409,
      );
    }
    await deps.channel.setEnabled(session.accountId, input.enabled, session.userId);
    res.json(await deps.channel.view(session.accountId));
  });
  return router;
}
