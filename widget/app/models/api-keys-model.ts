import { signal } from '@preact/signals';
import type { z } from 'zod/mini';
import type { ApiKeyList } from '../../../contract/public-api';
import type { ApiClient } from '../api/api-client';
import type { Describe } from '../i18n/error-sentence';
import { createListModel } from './list-model';

/** The form's fields by their labels, for error sentences. */
const LABELS = { name: 'developers.key_name' };

/** The account's public-API keys; a new key is shown once, here, and never again. */
export function createApiKeysModel(deps: { api: ApiClient; describe: Describe }) {
  const keys = signal<z.infer<typeof ApiKeyList>['keys'] | null>(null);
  const shownOnce = signal<string | null>(null);
  const { error, busy, load, act } = createListModel({
    describe: deps.describe,
    labels: LABELS,
    async fetch() {
      keys.value = (await deps.api.apiKeys()).keys;
    },
  });

  return {
    keys,
    shownOnce,
    error,
    busy,
    load,
    create: (name: string) =>
      act(async () => {
        shownOnce.value = (await deps.api.createApiKey(name)).key;
      }),
    revoke: (id: string) => act(() => deps.api.revokeApiKey(id)),
  };
}
export type ApiKeysModel = ReturnType<typeof createApiKeysModel>;
