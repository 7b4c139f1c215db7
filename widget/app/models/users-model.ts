import { signal } from '@preact/signals';
import type { UserView } from '../../../contract/account';
import type { ApiClient } from '../api/api-client';
import type { Describe } from '../i18n/error-sentence';

/** The admin's list of users who opened Wabridge, and whether each may use it. */
export function createUsersModel(deps: { api: ApiClient; describe: Describe }) {
  const users = signal<UserView[]>([]);
  const error = signal<string | null>(null);
  const loading = signal(false);

  const failed = (err: unknown) => {
    error.value = deps.describe(err);
  };

  return {
    users,
    error,
    loading,
    async load() {
      loading.value = true;
      try {
        users.value = (await deps.api.users()).users;
        error.value = null;
      } catch (err) {
        failed(err);
      } finally {
        loading.value = false;
      }
    },
    async setEnabled(userId: number, enabled: boolean) {
      try {
        const updated = await deps.api.setUserEnabled(userId, enabled);
        users.value = users.value.map((u) => (u.id === updated.id ? updated : u));
        error.value = null;
      } catch (err) {
        failed(err);
      }
    },
  };
}
export type UsersModel = ReturnType<typeof createUsersModel>;
