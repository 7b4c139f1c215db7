import type { RequestHandler, Response } from 'express';
import { forbidden, unauthorized } from '../http/app-error';
import type { Queryable } from '../store/db';
import type { Session, SessionTokens } from './session-token';

/** API keys: the public routes only, scoped to the key's account, rate-limited per key. */
export interface ApiKeyAuth {
  authenticate(key: string, method: string, path: string, retryAfter: (seconds: number) => void): Promise<Session>;
}
const isApiKey = (token: string) => token.startsWith('wbk_');

/**
 * Every widget API call needs our session token. The account must still be installed and the user
 * still enabled: an uninstall or a disabled user takes effect on the next request, not at token expiry.
 */
export function requireSession(deps: { db: Queryable; sessions: SessionTokens; apiKeys?: ApiKeyAuth }): RequestHandler {
  return async (req, res, next) => {
    const token = /^Bearer (\S+)$/.exec(req.header('authorization') ?? '')?.[1];
    if (!token) throw unauthorized('missing_session', 'Sign in through the Wabridge widget in Kommo first.');
    if (deps.apiKeys && isApiKey(token)) {
      res.locals.session = await deps.apiKeys.authenticate(token, req.method, req.path, (seconds) => res.setHeader('Retry-After', String(seconds)));
      res.locals.viaApiKey = true;
      return next();
    }
    const session = await deps.sessions.verify(token);
    const rows = await deps.db.query<{ status: string; enabled: boolean | null; consent_withdrawn_at: Date | null }>(
      `select a.status, a.consent_withdrawn_at, u.enabled from accounts a
       left join account_users u on u.account_id = a.id and u.kommo_user_id = $2
       where a.id = $1`,
      [session.accountId, session.userId],
    );
    const row = rows[0];
    if (!row || row.status !== 'active') throw unauthorized('account_uninstalled', 'Wabridge is no longer installed in this Kommo account.');
    if (row.consent_withdrawn_at) throw forbidden('consent_withdrawn', 'Consent to data processing was withdrawn for this account, so Wabridge no longer works here.');
    if (row.enabled === false) throw forbidden('user_disabled', 'Your administrator has not enabled Wabridge for your user.');
    res.locals.session = session;
    next();
  };
}

export function sessionOf(res: Response): Session {
  const session = res.locals.session as Session | undefined;
  if (!session) throw unauthorized('missing_session', 'Sign in through the Wabridge widget in Kommo first.');
  return session;
}

export function requireAdmin(res: Response): Session {
  const session = sessionOf(res);
  if (session.role !== 'admin') throw forbidden('admin_only', 'Only a Kommo administrator can do this.');
  return session;
}
