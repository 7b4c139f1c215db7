import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Clock } from '../clock';
import { unauthorized } from '../http/app-error';
import type { Role } from '../../../contract/session';

export interface Session {
  accountId: string;
  userId: number;
  role: Role;
}

const Claims = z.object({
  acc: z.string(),
  uid: z.number().int(),
  role: z.enum(['admin', 'agent']),
  exp: z.number(),
});

const ISSUER = 'wabridge';
const AUDIENCE = 'wabridge-widget';
const VERIFIED_KEPT = 10_000;

/** Our own short-lived session token, scoped to (account, user, role). */
export function createSessionTokens(deps: { key: Uint8Array; clock: Clock; ttlSeconds: number }) {
  const key = deps.key;
  // Tokens already verified, until they expire: the same bytes verify the same way, and a Web Crypto
  // HMAC check per request was ~7 % of a history read's CPU. Oldest dropped beyond VERIFIED_KEPT.
  const verified = new Map<string, { session: Session; expiresAtMs: number }>();
  return {
    async issue(session: Session): Promise<{ token: string; expiresAt: Date }> {
      const iat = Math.floor(deps.clock.now().getTime() / 1000);
      const exp = iat + deps.ttlSeconds;
      const token = await new SignJWT({ acc: session.accountId, uid: session.userId, role: session.role })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    async verify(token: string): Promise<Session> {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAtMs > deps.clock.now().getTime()) return known.session;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: deps.clock.now(),
        });
        const claims = Claims.parse(payload);
        const session: Session = { accountId: claims.acc, userId: claims.uid, role: claims.role };
        if (verified.size >= VERIFIED_KEPT) verified.delete(verified.keys().next().value!);
        verified.set(token, { session, expiresAtMs: claims.exp * 1000 });
        return session;
      } catch {
        throw unauthorized('invalid_session', 'Your Wabridge session has expired or is not valid. Reload the widget.');
      }
    },
  };
}
export type SessionTokens = ReturnType<typeof createSessionTokens>;
