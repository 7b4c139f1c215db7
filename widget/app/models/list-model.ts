import { signal } from '@preact/signals';
import type { Describe, FieldLabels } from '../i18n/error-sentence';

/**
 * What every admin list shares (numbers, automations, API keys, webhooks): `load` fills the
 * model's own signals through `fetch`; `act` runs a change with `busy` set, reloads the list after
 * it, and answers whether it went through. A refusal is said in the admin's language, naming the
 * form's fields by `labels`; the next success clears it.
 */
export function createListModel(deps: { describe: Describe; labels?: FieldLabels; fetch: () => Promise<void> }) {
  const error = signal<string | null>(null);
  const busy = signal(false);

  const failed = (err: unknown) => {
    error.value = deps.describe(err, deps.labels);
  };

  async function load() {
    try {
      await deps.fetch();
    } catch (err) {
      failed(err);
    }
  }

  /** `reload: false` for what only reads (a log), so the list is not fetched again. */
  async function act(fn: () => Promise<unknown>, { reload = true } = {}): Promise<boolean> {
    busy.value = true;
    try {
      await fn();
      error.value = null;
      if (reload) await load();
      return true;
    } catch (err) {
      failed(err);
      return false;
    } finally {
      busy.value = false;
    }
  }

  return {
    error,
    busy,
    load,
    act,
    clearError() {
      error.value = null;
    },
  };
}
export type ListModel = ReturnType<typeof createListModel>;
