import { errors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { Clock } from '../clock';
import { unauthorized } from '../http/app-error';
import type { Queryable } from '../store/db';
import { forgetUsedTokensExpiredBefore, markTokenUsed } from './auth-store';

/** The claims of Kommo's one-time token that we rely on (SPEC §3). */
const DisposableClaims = z.object({
  jti: z.string().min(1).max(200),
  exp: z.number(),
  account_id: z.coerce.number().int().positive(),
  user_id: z.coerce.number().int().positive(),
  subdomain: z.string().min(1),
  client_uuid: z.string(),
  is_admin: z.boolean().optional(),
});
export type DisposableClaims = z.infer<typeof DisposableClaims>;

export interface KommoTokenVerifier {
  verify(token: string): Promise<DisposableClaims>;
}

/**
 * Checks signature (HS256, client secret), audience (our redirect URI's origin), time, our client id,
 * and that the token's `jti` was never used before.
 */
export function createKommoTokenVerifier(deps: { db: Queryable; clock: Clock; clientId: string; clientSecret: string; audience: string }): KommoTokenVerifier {
  const key = new TextEncoder().encode(deps.clientSecret);
  return {
    async verify(token) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          audience: deps.audience,
          currentDate: deps.clock.now(),
          clockTolerance: 30,
          requiredClaims: ['jti', 'exp', 'iat'],
        }));
      } catch (err) {
        if (err instanceof errors.JWTExpired) throw unauthorized('token_expired', 'The Kommo token has expired. Reload the page.');
        if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') {
          throw unauthorized('wrong_audience', 'The Kommo token was issued for another integration address.');
        }
        throw unauthorized('invalid_token', 'The Kommo token is not valid.');
      }
      const claims = DisposableClaims.safeParse(payload);
      if (!claims.success) throw unauthorized('invalid_token', 'The Kommo token lacks the claims Wabridge needs.');
      if (claims.data.client_uuid !== deps.clientId) {
        throw unauthorized('wrong_client', 'The Kommo token was issued for another integration.');
      }
      const now = deps.clock.now();
      // Forget used ids once their tokens could no longer pass the time check anyway.
      await forgetUsedTokensExpiredBefore(deps.db, new Date(now.getTime() - 60_000));
      if (!(await markTokenUsed(deps.db, claims.data.jti, new Date(claims.data.exp * 1000))))
        throw unauthorized('token_replayed', 'This Kommo token was already used.');
      return claims.data;
    },
  };
}
