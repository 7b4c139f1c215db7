import type { SessionRequest, SessionResponse } from '../../../contract/session';
import type { UserNames } from '../accounts/user-names';
import { findUser, upsertSeenUser } from '../accounts/user-store';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { forbidden } from '../http/app-error';
import { publishAccessChange } from '../live/live-events';
import { findAccountByKommoId, recordKommoPlan, touchAccount } from '../kommo/account-store';
import type { Db } from '../store/db';
import type { KommoTokenVerifier } from './kommo-token';
import type { SessionTokens } from './session-token';

/**
 * Turns Kommo's one-time token into our session for an installed account and an enabled user. The
 * browser's report is taken for the Kommo plan from an admin only; who the user is and their role
 * come from Kommo's signed token, and their name from Kommo's users API (SPEC §9).
 */
export function createSessionService(deps: { db: Db; clock: Clock; kommoTokens: KommoTokenVerifier; sessions: SessionTokens; userNames: UserNames }) {
  return {
    async open(kommoToken: string, request: SessionRequest): Promise<SessionResponse> {
      const claims = await deps.kommoTokens.verify(kommoToken);
      const at = deps.clock.now();
      const { account, user } = await deps.db.transaction(async (tx) => {
        const account = await findAccountByKommoId(tx, claims.account_id);
        if (!account) return { account };
        // Nothing about the user is recorded for an account that is gone or withdrew consent.
        if (account.status !== 'active' || account.consent_withdrawn_at) return { account };
        const before = await findUser(tx, account.id, claims.user_id);
        const user = await upsertSeenUser(tx, { accountId: account.id, userId: claims.user_id, isAdmin: claims.is_admin === true, at });
        // Kommo says the role changed: the user's open live streams are checked again (SPEC §9).
        if (before && before.is_admin !== user.is_admin) await publishAccessChange(tx, account.id);
        // Any signed-in user's browser could claim a plan: only an admin's report is taken (SPEC §9).
        if (request.kommoPlan && user.is_admin) {
          const planBefore = await recordKommoPlan(tx, account.id, request.kommoPlan, at);
          if (planBefore !== request.kommoPlan.name) {
            await recordAudit(tx, {
              accountId: account.id,
              actor: `user:${claims.user_id}`,
              action: 'kommo_plan.reported',
              details: { from: planBefore, to: request.kommoPlan.name },
              at,
            });
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
      await deps.userNames.afterSignIn(account.id, claims.user_id, user.name_synced_at);
      const role = user.is_admin ? 'admin' : 'agent';
      const { token, expiresAt } = await deps.sessions.issue({ accountId: account.id, userId: claims.user_id });
      return { token, expiresAt: expiresAt.toISOString(), accountId: account.id, userId: claims.user_id, role };
    },
  };
}
export type SessionService = ReturnType<typeof createSessionService>;
