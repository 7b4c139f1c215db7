import type { RequestHandler, Response } from 'express';
import { forbidden, unauthorized } from '../http/app-error';
import { accessOf } from './access';
import type { Queryable } from '../store/db';
import type { Session, SessionTokens } from './session-token';

/** API keys: the public routes only, scoped to the key's account, rate-limited per key. */
export interface ApiKeyAuth {
  authenticate(key: string, method: string, path: string, retryAfter: (seconds: number) => void): Promise<Session>;
}
const isApiKey = (token: string) => token.startsWith('wbk_');

/**
 * Every widget API call needs our session token. The account must still be installed and the user
 * still enabled, and the role is the stored one: an uninstall, a disabled user or a role change takes
 * effect on the next request, not at token expiry (one read by primary keys per request).
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
    const signedIn = await deps.sessions.verify(token);
    const access = await accessOf(deps.db, signedIn.accountId, signedIn.userId);
    if ('refused' in access) throw access.refused;
    const session: Session = { ...signedIn, role: access.role };
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
