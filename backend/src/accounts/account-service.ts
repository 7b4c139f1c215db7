import type { MeResponse, UserView } from '../../../contract/account';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { badRequest, forbidden, notFound } from '../http/app-error';
import { findAccount, findAccountByKommoId } from '../kommo/account-store';
import { publishAccessChange } from '../live/live-events';
import type { Db } from '../store/db';
import { findUser, listUsers, mirrorUserEnabled, setUserEnabled } from './user-store';
import { accountView, userView } from './views';

/** What the admin typed per user in Kommo's `team` setting (type `users`): these words block, anything else allows. */
const BLOCK = /^(no|0|off|false|block|нет|não|nao)$/i;

/** The signed-in account and user, and the admin's control over which users may use the widget. */
export function createAccountService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function users(accountId: string): Promise<UserView[]> {
    return (await listUsers(db, accountId)).map(userView);
  }

  return {
    async me(accountId: string, userId: number): Promise<MeResponse> {
      const [account, user] = await Promise.all([findAccount(db, accountId), findUser(db, accountId, userId)]);
      if (!account || !user) throw notFound();
      return { account: accountView(account), user: userView(user) };
    },

    users,

    async user(accountId: string, userId: number): Promise<UserView> {
      const user = await findUser(db, accountId, userId);
      if (!user) throw notFound('No such user in this account.');
      return userView(user);
    },

    /** An admin enables or disables a user (never themself); a disabled user's open live streams close now (SPEC §9). */
    async setEnabled(accountId: string, adminId: number, userId: number, enabled: boolean): Promise<UserView> {
      if (userId === adminId && !enabled) throw badRequest('cannot_disable_self', 'You cannot disable Wabridge for yourself.');
      const user = await db.transaction(async (tx) => {
        const updated = await setUserEnabled(tx, accountId, userId, enabled);
        if (updated) {
          await publishAccessChange(tx, accountId);
          await recordAudit(tx, {
            accountId,
            actor: `user:${adminId}`,
            action: enabled ? 'user.enabled' : 'user.disabled',
            details: { userId },
            at: clock.now(),
          });
        }
        return updated;
      });
      if (!user) throw notFound('No such user in this account.');
      return userView(user);
    },

    /**
     * Kommo's widget settings hold a `users` field, one text per CRM user. When the admin saves the
     * settings we mirror it as who may use Wabridge, including users who never opened the widget yet.
     */
    async mirrorTeamSetting(kommoAccountId: number, adminId: number, team: Record<string, string>): Promise<UserView[]> {
      const account = await findAccountByKommoId(db, kommoAccountId);
      if (!account || account.status !== 'active' || account.consent_withdrawn_at)
        throw forbidden('account_not_installed', 'Wabridge is not installed in this Kommo account.');
      const at = clock.now();
      await db.transaction(async (tx) => {
        for (const [id, text] of Object.entries(team)) {
          const userId = Number(id);
          // An admin never locks themself out from Kommo's settings either.
          await mirrorUserEnabled(tx, { accountId: account.id, userId, enabled: userId === adminId || !BLOCK.test(text.trim()), at });
        }
        await publishAccessChange(tx, account.id);
        await recordAudit(tx, { accountId: account.id, actor: `user:${adminId}`, action: 'team.mirrored', details: { users: Object.keys(team).length }, at });
      });
      return users(account.id);
    },
  };
}
export type AccountService = ReturnType<typeof createAccountService>;
