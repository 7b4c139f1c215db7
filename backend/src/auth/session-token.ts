import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Clock } from '../clock';
import { unauthorized } from '../http/app-error';
import type { Role } from '../../../contract/session';

/** Who a request acts for. The role is the store's current word, read on each request (SPEC §9). */
export interface Session {
  accountId: string;
  userId: number;
  role: Role;
  /** When the widget's session token runs out; an API key has none. */
  expiresAt?: Date;
}

/** What our session token says: who signed in, until when. No role: a role changes in Kommo at any time. */
export interface SignedIn {
  accountId: string;
  userId: number;
  expiresAt: Date;
}

const Claims = z.object({
  acc: z.string(),
  uid: z.number().int(),
  exp: z.number(),
});

const ISSUER = 'wabridge';
const AUDIENCE = 'wabridge-widget';
const VERIFIED_KEPT = 10_000;

/**
 * Our own short-lived session token, scoped to (account, user). The role is not in it: a role frozen
 * for the token's 15 minutes would let a demoted admin act as one until then.
 */
export function createSessionTokens(deps: { key: Uint8Array; clock: Clock; ttlSeconds: number }) {
  const key = deps.key;
  // Tokens already verified, until they expire: the same bytes verify the same way, and a Web Crypto
  // HMAC check per request was ~7 % of a history read's CPU. Oldest dropped beyond VERIFIED_KEPT.
  const verified = new Map<string, SignedIn>();
  return {
    async issue(session: { accountId: string; userId: number }): Promise<{ token: string; expiresAt: Date }> {
      const iat = Math.floor(deps.clock.now().getTime() / 1000);
      const exp = iat + deps.ttlSeconds;
      const token = await new SignJWT({ acc: session.accountId, uid: session.userId })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    async verify(token: string): Promise<SignedIn> {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt.getTime() > deps.clock.now().getTime()) return known;
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
        const signedIn: SignedIn = { accountId: claims.acc, userId: claims.uid, expiresAt: new Date(claims.exp * 1000) };
        if (verified.size >= VERIFIED_KEPT) verified.delete(verified.keys().next().value!);
        verified.set(token, signedIn);
        return signedIn;
      } catch {
        throw unauthorized('invalid_session', 'Your Wabridge session has expired or is not valid. Reload the widget.');
      }
    },
  };
}
export type SessionTokens = ReturnType<typeof createSessionTokens>;
