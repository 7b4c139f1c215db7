import { useState } from 'preact/hooks';
import type { Translate } from '../i18n/translate';
import type { AccountAdminModel } from '../models/account-admin-model';

const FIELDS = ['lastName', 'firstName', 'patronymic', 'email', 'phone', 'city'] as const;

/** Who the licensee is (SPEC §4.6), and acceptance of the terms in effect. */
export function RegistrationForm({ model, t }: { model: AccountAdminModel; t: Translate }) {
  const admin = model.admin.value;
  const saved = admin?.registration;
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(FIELDS.map((f) => [f, saved?.[f] ?? ''])));
  const [accept, setAccept] = useState(false);
  if (!admin) return null;
  const errors = model.errors.value;
  const terms = admin.terms.current;
  // Saving changes to a registration whose terms version is already accepted asks for no new tick:
  // the acceptance on record stands (the backend keeps the first one).
  const alreadyAccepted = admin.terms.acceptedVersion === terms.version;

  const submit = (event: Event) => {
    event.preventDefault();
    void model.register({
      lastName: values.lastName ?? '',
      firstName: values.firstName ?? '',
      patronymic: values.patronymic || undefined,
      email: values.email ?? '',
      phone: (values.phone ?? '').replace(/[\s()-]/g, ''),
      city: values.city ?? '',
      termsVersion: terms.version,
      acceptTerms: (alreadyAccepted || accept) as true,
    });
  };

  return (
    <form class="wb-form" data-testid="registration-form" onSubmit={submit} noValidate>
      <h2>{t('registration.title')}</h2>
      {saved && (
        <p class="wb-ok" data-testid="registration-done">
          {t('registration.done')}
        </p>
      )}
      {FIELDS.map((field) => (
        <label key={field}>
          {t(`registration.fields.${field}`)}
          <input
            name={field}
            type={field === 'email' ? 'email' : field === 'phone' ? 'tel' : 'text'}
            value={values[field]}
            required={field !== 'patronymic'}
            aria-invalid={Boolean(errors.fields[field])}
            onInput={(e) => setValues({ ...values, [field]: (e.target as HTMLInputElement).value })}
          />
          {errors.fields[field] && <span class="wb-field-error">{errors.fields[field]}</span>}
        </label>
      ))}
      {alreadyAccepted ? (
        <p class="wb-muted" data-testid="registration-terms-accepted">
          {t('registration.accepted')}{' '}
          <a href={`/terms/${encodeURIComponent(terms.version)}`} target="_blank" rel="noopener">
            {terms.title} ({terms.version})
          </a>
        </p>
      ) : (
        <label class="wb-check">
          <input type="checkbox" name="acceptTerms" checked={accept} onChange={(e) => setAccept((e.target as HTMLInputElement).checked)} />
          <span>
            {t('registration.accept')}{' '}
            <a href={`/terms/${encodeURIComponent(terms.version)}`} target="_blank" rel="noopener">
              {terms.title} ({terms.version})
            </a>
          </span>
        </label>
      )}
      {errors.fields.acceptTerms && <span class="wb-field-error">{t('registration.must_accept')}</span>}
      {errors.message && !Object.keys(errors.fields).length && (
        <p class="wb-error" role="alert">
          {errors.message}
        </p>
      )}
      <button type="submit" disabled={model.saving.value}>
        {saved ? t('registration.update') : t('registration.submit')}
      </button>
    </form>
  );
}
