import { signal } from '@preact/signals';
import type { AccountAdmin, AccountSettings, RegistrationInput } from '../../../contract/licence';
import type { ApiClient } from '../api/api-client';
import type { Describe, FieldLabels } from '../i18n/error-sentence';

export interface FormErrors {
  message: string | null;
  /** Field name → what is wrong with it. */
  fields: Record<string, string>;
}

const noErrors: FormErrors = { message: null, fields: {} };

/** The registration form's fields, by their labels. */
const REGISTRATION_LABELS: FieldLabels = Object.fromEntries(
  ['lastName', 'firstName', 'patronymic', 'email', 'phone', 'city'].map((f) => [f, `registration.fields.${f}`]),
);

/** The admin's side: registration, terms, settings, consent. */
export function createAccountAdminModel(deps: {
  api: ApiClient;
  describe: Describe;
  describeFields: (error: unknown, labels: FieldLabels) => Record<string, string>;
  onChanged?: () => void;
}) {
  const admin = signal<AccountAdmin | null>(null);
  const settings = signal<AccountSettings | null>(null);
  const consent = signal<{ withdrawnAt: string | null; deletionDueBy: string | null } | null>(null);
  const errors = signal<FormErrors>(noErrors);
  const saving = signal(false);

  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    saving.value = true;
    try {
      const result = await action();
      errors.value = noErrors;
      return result;
    } catch (err) {
      errors.value = { message: deps.describe(err, REGISTRATION_LABELS), fields: deps.describeFields(err, REGISTRATION_LABELS) };
      return undefined;
    } finally {
      saving.value = false;
    }
  }

  return {
    admin,
    settings,
    consent,
    errors,
    saving,
    async load() {
      await run(async () => {
        const [a, s, c] = await Promise.all([deps.api.accountAdmin(), deps.api.settings(), deps.api.consent()]);
        admin.value = a;
        settings.value = s;
        consent.value = c;
      });
    },
    async register(input: RegistrationInput) {
      const result = await run(() => deps.api.register(input));
      if (result) admin.value = result;
      return Boolean(result);
    },
    async acceptTerms(version: string) {
      const result = await run(() => deps.api.acceptTerms(version));
      if (result) admin.value = result;
    },
    async updateSettings(input: Partial<AccountSettings>) {
      const result = await run(() => deps.api.updateSettings(input));
      if (result) settings.value = result;
    },
    async withdrawConsent() {
      const result = await run(() => deps.api.withdrawConsent());
      if (result) {
        consent.value = result;
        deps.onChanged?.();
      }
    },
  };
}
export type AccountAdminModel = ReturnType<typeof createAccountAdminModel>;
