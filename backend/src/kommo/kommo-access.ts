import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { AppError } from '../http/app-error';
import type { Db } from '../store/db';
import { findAccount } from './account-store';
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
      const [row] = await db.query<{ access_token_enc: string; refresh_token_enc: string; access_expires_at: Date }>(
        'select access_token_enc, refresh_token_enc, access_expires_at from kommo_tokens where account_id = $1',
        [accountId],
      );
      if (!account || account.status !== 'active' || !row) {
        throw new AppError('kommo_not_connected', 'Wabridge has no access to this Kommo account. Reinstall the widget.', 409);
      }
      if (new Date(row.access_expires_at).getTime() - clock.now().getTime() > REFRESH_MARGIN_MS) {
        return { host: account.host, accessToken: box.decrypt(row.access_token_enc) };
      }
      const fresh = await deps.kommo.refreshTokens(account.host, box.decrypt(row.refresh_token_enc));
      const at = clock.now();
      // Compare-and-set on the refresh token we used: only the first refresher stores its pair.
      const stored = await db.query(
        `update kommo_tokens set access_token_enc = $2, refresh_token_enc = $3, access_expires_at = $4, updated_at = $5
         where account_id = $1 and refresh_token_enc = $6 returning account_id`,
        [accountId, box.encrypt(fresh.accessToken), box.encrypt(fresh.refreshToken), new Date(at.getTime() + fresh.expiresIn * 1000), at, row.refresh_token_enc],
      );
      if (stored.length) {
        deps.logger.info({ accountId }, 'Kommo tokens refreshed');
        return { host: account.host, accessToken: fresh.accessToken };
      }
      const [winner] = await db.query<{ access_token_enc: string }>('select access_token_enc from kommo_tokens where account_id = $1', [accountId]);
      if (!winner) throw new AppError('kommo_not_connected', 'Wabridge has no access to this Kommo account. Reinstall the widget.', 409);
      return { host: account.host, accessToken: box.decrypt(winner.access_token_enc) };
    },
  };
}
export type KommoAccess = ReturnType<typeof createKommoAccess>;
