import type { SessionRequest, SessionResponse } from '../../../contract/session';
import { upsertSeenUser } from '../accounts/user-store';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { forbidden } from '../http/app-error';
import { findAccountByKommoId, recordKommoPlan, touchAccount } from '../kommo/account-store';
import type { Db } from '../store/db';
import type { KommoTokenVerifier } from './kommo-token';
import type { SessionTokens } from './session-token';

/** Turns Kommo's one-time token into our session for an installed account and an enabled user. */
export function createSessionService(deps: { db: Db; clock: Clock; kommoTokens: KommoTokenVerifier; sessions: SessionTokens }) {
  return {
    async open(kommoToken: string, request: SessionRequest): Promise<SessionResponse> {
      const claims = await deps.kommoTokens.verify(kommoToken);
      const at = deps.clock.now();
      const { account, user } = await deps.db.transaction(async (tx) => {
        const account = await findAccountByKommoId(tx, claims.account_id);
        if (!account) return { account };
        // Nothing about the user is recorded for an account that is gone or withdrew consent.
        if (account.status !== 'active' || account.consent_withdrawn_at) return { account };
        const user = await upsertSeenUser(tx, {
          accountId: account.id,
          userId: claims.user_id,
          name: request.user?.name,
          isAdmin: claims.is_admin === true,
          at,
        });
        // Any signed-in user's browser could claim a plan: only an admin's report is taken (SPEC §9).
        if (request.kommoPlan && user.is_admin) {
          const before = await recordKommoPlan(tx, account.id, request.kommoPlan, at);
          if (before !== request.kommoPlan.name) {
            await recordAudit(tx, { accountId: account.id, actor: `user:${claims.user_id}`, action: 'kommo_plan.reported', details: { from: before, to: request.kommoPlan.name }, at });
          }
        }
        // A sign-in is use: the inactivity count starts again (SPEC §4.2).
        await touchAccount(tx, account.id, at);
        return { account, user };
      });
      if (!account) {
        throw forbidden('account_not_installed', 'Wabridge is not installed in this Kommo account yet. An admin installs it in Settings → Integrations.');
      }
      if (account.consent_withdrawn_at) {
        throw forbidden('consent_withdrawn', 'Consent to data processing was withdrawn for this account, so Wabridge no longer works here.');
      }
      if (!user) {
        throw forbidden('account_uninstalled', 'Wabridge was disabled in this Kommo account. An admin can install it again in Settings → Integrations.');
      }
      if (!user.enabled) throw forbidden('user_disabled', 'Your administrator has not enabled Wabridge for your user.');
      const role = user.is_admin ? 'admin' : 'agent';
      const { token, expiresAt } = await deps.sessions.issue({ accountId: account.id, userId: claims.user_id, role });
      return { token, expiresAt: expiresAt.toISOString(), accountId: account.id, userId: claims.user_id, role };
    },
  };
}
export type SessionService = ReturnType<typeof createSessionService>;
