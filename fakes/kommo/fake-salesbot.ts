import { randomUUID } from 'node:crypto';
import axios from 'axios';
import type { Express, Request, Response } from 'express';
import { SignJWT } from 'jose';
import type { FakeKommoAccount } from './fake-kommo-data';

/** A Salesbot continue the fake received: the bot, the continue point, and the body as sent. */
export interface ReceivedContinue {
  accountId: number;
  botId: number;
  continueId: string;
  body: unknown;
}

export interface SalesbotStepOptions {
  /** Sign the token with another secret (a forgery). */
  secret?: string;
  /** Seconds the token lives (Kommo's live a short while); negative makes it already expired. */
  lifetime?: number;
  /** Another `return_url` than Kommo's own continue address. */
  returnUrl?: string;
  /** Sends the same request this many times, together. */
  times?: number;
  /** The token's `client_uuid`: another integration's, or none (null); ours by default. */
  clientUuid?: string | null;
  /** Sends this token instead of a fresh one (a token replayed for another step). */
  token?: string;
}

/**
 * Kommo's Salesbot side of a widget step: `runStep` does what a bot does on reaching our
 * `widget_request` (POST `{ token, data, return_url }` to the widget's URL, the token a JWT signed
 * HS256 with the integration's secret), and `POST /api/v4/salesbot/{bot}/continue/{id}` is Kommo's
 * continue method: only the account's OAuth token, only a continue point Kommo handed out, once,
 * with `data` an object (what the bot reads as {{json.*}}) and at most 10 `execute_handlers`.
 */
export function fakeSalesbot(deps: {
  app: Express;
  url: () => string;
  clientId: string;
  clientSecret: string;
  now: () => Date;
  account: (id: number) => FakeKommoAccount;
  authorise: (req: Request, res: Response) => FakeKommoAccount | undefined;
  problem: (res: Response, status: number, title: string, detail: string) => unknown;
}) {
  const waiting = new Map<string, { accountId: number; used: boolean }>();
  const continued: ReceivedContinue[] = [];
  /** The next continue calls fail with these statuses, one each. */
  const failContinues: number[] = [];
  let nextBot = 40_001;

  deps.app.post('/api/v4/salesbot/:botId/continue/:continueId', (req, res) => {
    const account = deps.authorise(req, res);
    if (!account) return;
    const forced = failContinues.shift();
    if (forced) return deps.problem(res, forced, 'Internal Server Error', 'Forced by the fake');
    const key = `${req.params.botId}/${req.params.continueId}`;
    const point = waiting.get(key);
    if (!point || point.accountId !== account.id) return deps.problem(res, 404, 'Not Found', 'Bot is not waiting here');
    if (point.used) return deps.problem(res, 400, 'Bad Request', 'Bot was already continued');
    const body = req.body as { data?: unknown; execute_handlers?: unknown };
    const dataOk = body && typeof body.data === 'object' && body.data !== null && !Array.isArray(body.data);
    const handlersOk = body?.execute_handlers === undefined || (Array.isArray(body.execute_handlers) && body.execute_handlers.length <= 10);
    if (!dataOk || !handlersOk) return deps.problem(res, 400, 'Bad Request', 'Invalid continue request');
    point.used = true;
    continued.push({ accountId: account.id, botId: Number(req.params.botId), continueId: String(req.params.continueId), body });
    res.status(202).json({});
  });

  return {
    continued,
    failContinues,
    /** A bot reaches our step: Kommo POSTs the widget's URL with the signed token, the step's data and where to continue. */
    async runStep(accountId: number, url: string, data: Record<string, unknown>, opts: SalesbotStepOptions = {}) {
      const a = deps.account(accountId);
      const botId = nextBot++;
      const continueId = randomUUID();
      waiting.set(`${botId}/${continueId}`, { accountId, used: false });
      const iat = Math.floor(deps.now().getTime() / 1000);
      const clientUuid = opts.clientUuid === undefined ? { client_uuid: deps.clientId } : opts.clientUuid === null ? {} : { client_uuid: opts.clientUuid };
      const token =
        opts.token ??
        (await new SignJWT({ account_id: a.id, subdomain: a.subdomain, ...clientUuid })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setIssuer(`https://${a.subdomain}.kommo.com`)
          .setJti(randomUUID())
          .setIssuedAt(iat)
          .setNotBefore(Math.min(iat, iat + (opts.lifetime ?? 300)))
          .setExpirationTime(iat + (opts.lifetime ?? 300))
          .sign(new TextEncoder().encode(opts.secret ?? deps.clientSecret)));
      const body = { token, data, return_url: opts.returnUrl ?? `${deps.url()}/api/v4/salesbot/${botId}/continue/${continueId}` };
      const calls = Array.from({ length: opts.times ?? 1 }, () => axios.post(url, body, { validateStatus: () => true }));
      const responses = await Promise.all(calls);
      return { botId, continueId, token, statuses: responses.map((r) => r.status), answers: responses.map((r) => r.data as unknown) };
    },
  };
}
