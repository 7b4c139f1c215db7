import type { Translate } from '../i18n/translate';
import { formatDate } from '../i18n/format';
import type { AccountAdminModel } from '../models/account-admin-model';

/** Asks a registered admin to accept a new version of the terms before the next paid order. */
export function TermsNotice({ model, t, language }: { model: AccountAdminModel; t: Translate; language: string }) {
  const admin = model.admin.value;
  if (!admin?.registration) return null;
  const { terms } = admin;
  return (
    <section class="wb-card" data-testid="terms-notice">
      {terms.acceptanceRequired ? (
        <>
          <p class="wb-warning">{t('terms.new_version', { version: terms.current.version })}</p>
          <a href={`/terms/${encodeURIComponent(terms.current.version)}`} target="_blank" rel="noopener">
            {terms.current.title}
          </a>{' '}
          <button type="button" onClick={() => void model.acceptTerms(terms.current.version)}>
            {t('terms.accept')}
          </button>
        </>
      ) : (
        <p class="wb-muted" data-testid="terms-accepted">
          {t('terms.accepted', { version: terms.acceptedVersion ?? '', date: terms.acceptedAt ? formatDate(terms.acceptedAt, language) : '' })}
        </p>
      )}
      {terms.upcoming && (
        <p class="wb-muted">{t('terms.upcoming', { version: terms.upcoming.version, date: formatDate(terms.upcoming.effectiveAt, language) })}</p>
      )}
    </section>
  );
}
