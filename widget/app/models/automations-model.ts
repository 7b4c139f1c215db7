import { signal } from '@preact/signals';
import type { z } from 'zod/mini';
import type { DpAutomationInput, DpAutomationView } from '../../../contract/automation';
import type { NumberView } from '../../../contract/whatsapp';
import type { ApiClient } from '../api/api-client';
import type { Describe } from '../i18n/error-sentence';
import { createListModel } from './list-model';

/** The form's fields by their labels, for error sentences. */
const LABELS = {
  name: 'automations.name',
  numberId: 'automations.number',
  template: 'automations.template',
  language: 'automations.language',
  parameters: 'automations.parameters',
  'parameters.*': 'automations.parameters',
};

/**
 * The admin's digital-pipeline automations (SPEC §7) and the numbers one may send from. Each change
 * reloads the list; a refusal is said in the admin's language.
 */
export function createAutomationsModel(deps: { api: ApiClient; describe: Describe }) {
  const list = signal<DpAutomationView[] | null>(null);
  const numbers = signal<z.infer<typeof NumberView>[]>([]);
  const { error, busy, load, act, clearError } = createListModel({
    describe: deps.describe,
    labels: LABELS,
    async fetch() {
      const [a, n] = await Promise.all([deps.api.automations(), deps.api.numbers()]);
      list.value = a.automations;
      numbers.value = n.numbers;
    },
  });

  return {
    list,
    numbers,
    error,
    busy,
    load,
    /** A new automation, or `id`'s new settings. */
    save: (input: DpAutomationInput, id?: string | null) => act(() => (id ? deps.api.updateAutomation(id, input) : deps.api.createAutomation(input))),
    remove: (id: string) => act(() => deps.api.deleteAutomation(id)),
    clearError,
  };
}
export type AutomationsModel = ReturnType<typeof createAutomationsModel>;
