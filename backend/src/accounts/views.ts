import type { AccountView, UserView } from '../../../contract/account';
import type { AccountRow } from '../kommo/account-store';
import type { UserRow } from './user-store';

export function accountView(row: AccountRow): AccountView {
  return {
    id: row.id,
    kommoAccountId: Number(row.kommo_account_id),
    subdomain: row.subdomain,
    name: row.name,
    status: row.status,
    installedAt: new Date(row.installed_at).toISOString(),
    installedBy: row.installed_by_user_id ? { id: Number(row.installed_by_user_id), name: row.installed_by_name, login: row.installed_by_login } : null,
    timezone: row.timezone,
    kommoPlan: row.kommo_plan_name && row.kommo_plan_seen_at ? { name: row.kommo_plan_name, seenAt: new Date(row.kommo_plan_seen_at).toISOString() } : null,
  };
}

export function userView(row: UserRow): UserView {
  return {
    id: Number(row.kommo_user_id),
    name: row.name,
    role: row.is_admin ? 'admin' : 'agent',
    enabled: row.enabled,
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
  };
}
