import { Router } from 'express';
import { z } from 'zod';
import { AppError, unauthorized } from '../http/app-error';
import { parse } from '../http/parse';
import { createKeyRateLimiter } from '../public-api/api-keys';
import type { InstallService } from './install-service';

/** Kommo account hosts: `<subdomain>.kommo.com`, `.amocrm.com`, `.amocrm.ru`. We send our client secret there. */
export const KOMMO_HOST = /^[a-z0-9][a-z0-9-]{0,62}\.(kommo\.com|amocrm\.com|amocrm\.ru)$/;

const InstallQuery = z.object({
  code: z.string().min(1).max(4096),
  referer: z.string().toLowerCase().regex(KOMMO_HOST, 'must be a Kommo account host'),
  state: z.string().max(1024).optional(),
  client_id: z.string().max(100).optional(),
  from_widget: z.string().optional(),
});

const UninstallQuery = z.object({
  client_uuid: z.string().min(1).max(100),
  account_id: z.coerce.number().int().positive(),
  signature: z.string().regex(/^[0-9a-f]{64}$/i, 'must be a hex HMAC-SHA256'),
});

export function kommoRoutes(installs: InstallService, options: { now: () => number }): Router {
  const router = Router();
  // The hook is open to anyone and each new code costs a call to Kommo with our secret: a few per
  // minute per source address is far more than installs ever need.
  const perAddress = createKeyRateLimiter({ perSecond: 0.5, burst: 10, now: options.now });

  // Kommo waits at most 3 s and never retries: store the code and answer at once.
  router.get('/install', async (req, res) => {
    const allowed = perAddress.take(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (!allowed.ok) {
      res.setHeader('Retry-After', String(allowed.retryAfterSeconds));
      throw new AppError('rate_limited', `Too many install calls from this address; retry in ${allowed.retryAfterSeconds} s.`, 429);
    }
    const query = parse(InstallQuery, req.query, 'query');
    await installs.receiveInstallHook({
      code: query.code,
      referer: query.referer,
      state: query.state,
      clientId: query.client_id,
      fromWidget: query.from_widget === '1' || query.from_widget === 'true',
    });
    res.type('html').send('<!doctype html><title>Wabridge</title><p>Wabridge is being installed. You can close this window.</p>');
  });

  router.get('/uninstall', async (req, res) => {
    const query = UninstallQuery.safeParse(req.query);
    // A malformed call is as unauthenticated as a forged one.
    if (!query.success) throw unauthorized('invalid_signature', 'The uninstall call is not signed by Kommo for this integration.');
    await installs.receiveUninstallHook({ clientUuid: query.data.client_uuid, accountId: query.data.account_id, signature: query.data.signature });
    res.status(204).end();
  });

  return router;
}
