import type { Role } from '../../../contract/session';
import { AppError, forbidden, unauthorized } from '../http/app-error';
import type { Queryable } from '../store/db';
import { readAccess } from './auth-store';

/** What decides, on each request, whether a signed-in user may still use the widget and as what. */
export interface AccessRow {
  account_id: string;
  kommo_user_id: string;
  status: string;
  consent_withdrawn_at: Date | null;
  /** Null when the account has no row for the user (never signed in, or erased). */
  enabled: boolean | null;
  is_admin: boolean | null;
}

export type Access = { role: Role } | { refused: AppError };

/**
 * SPEC §9: an uninstall, a withdrawal of consent, a disabled user and a role change take effect on
 * the next request, whatever the session token says; the role is the one stored now (Kommo's latest
 * word, from the user's own sign-in), never the one the token was issued with.
 */
export function currentAccess(row: AccessRow | undefined): Access {
  const account = accountRefusal(row);
  if (account || !row) return { refused: account ?? accountGone() };
  // Every session starts by recording its user: a missing row was erased since, so sign in again.
  if (row.enabled === null) return { refused: unauthorized('invalid_session', 'Your Wabridge session has expired or is not valid. Reload the widget.') };
  if (!row.enabled) return { refused: forbidden('user_disabled', 'Your administrator has not enabled Wabridge for your user.') };
  return { role: row.is_admin ? 'admin' : 'agent' };
}

/** Why nobody of this account may use Wabridge now, if so: uninstalled, or consent withdrawn. */
export function accountRefusal(row: AccessRow | undefined): AppError | undefined {
  if (!row || row.status !== 'active') return accountGone();
  if (row.consent_withdrawn_at)
    return forbidden('consent_withdrawn', 'Consent to data processing was withdrawn for this account, so Wabridge no longer works here.');
  return undefined;
}

const accountGone = () => unauthorized('account_uninstalled', 'Wabridge is no longer installed in this Kommo account.');

/** One user's access now. */
export async function accessOf(db: Queryable, accountId: string, userId: number): Promise<Access> {
  const [row] = await readAccess(db, [{ accountId, userId }]);
  return currentAccess(row);
}
