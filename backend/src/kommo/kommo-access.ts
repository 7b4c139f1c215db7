import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { AppError } from '../http/app-error';
import type { Db } from '../store/db';
import { findAccount, findTokens, replaceTokens } from './account-store';
import type { KommoApi } from './kommo-api';

/** Refresh this long before the access token expires, so a call never starts with a dying token. */
const REFRESH_MARGIN_MS = 10 * 60_000;

/**
 * Hands out a working Kommo access token for an account, refreshing it when it is about to expire.
 * Kommo rotates refresh tokens on every refresh: the newest pair is stored, encrypted. When two
 * processes refresh at once, the pair stored first wins and the other process uses it (Kommo keeps
 * an older refresh token usable until a newer one is used, so neither pair is lost).
 */
export function createKommoAccess(deps: { db: Db; kommo: KommoApi; box: SecretBox; clock: Clock; logger: Logger }) {
  const { db, box, clock } = deps;

  return {
    async accessToken(accountId: string): Promise<{ host: string; accessToken: string }> {
      const account = await findAccount(db, accountId);
      const row = await findTokens(db, accountId);
      if (!account || account.status !== 'active' || !row) {
        throw new AppError('kommo_not_connected', 'Wabridge has no access to this Kommo account. Reinstall the widget.', 409);
      }
      if (new Date(row.access_expires_at).getTime() - clock.now().getTime() > REFRESH_MARGIN_MS) {
        return { host: account.host, accessToken: box.decrypt(row.access_token_enc) };
      }
      const fresh = await deps.kommo.refreshTokens(account.host, box.decrypt(row.refresh_token_enc));
      const at = clock.now();
      // Compare-and-set on the refresh token we used: only the first refresher stores its pair.
      const stored = await replaceTokens(db, {
        accountId,
        accessTokenEnc: box.encrypt(fresh.accessToken),
        refreshTokenEnc: box.encrypt(fresh.refreshToken),
        accessExpiresAt: new Date(at.getTime() + fresh.expiresIn * 1000),
        at,
        usedRefreshTokenEnc: row.refresh_token_enc,
      });
      if (stored) {
        deps.logger.info({ accountId }, 'Kommo tokens refreshed');
        return { host: account.host, accessToken: fresh.accessToken };
      }
      const winner = await findTokens(db, accountId);
      if (!winner) throw new AppError('kommo_not_connected', 'Wabridge has no access to this Kommo account. Reinstall the widget.', 409);
      return { host: account.host, accessToken: box.decrypt(winner.access_token_enc) };
    },
  };
}
export type KommoAccess = ReturnType<typeof createKommoAccess>;
