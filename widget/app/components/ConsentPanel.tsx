import { useState } from 'preact/hooks';
import type { Translate } from '../i18n/translate';
import type { AccountAdminModel } from '../models/account-admin-model';

/** Withdrawal of consent to personal-data processing, with a confirmation that says what follows. */
export function ConsentPanel({ model, t }: { model: AccountAdminModel; t: Translate }) {
  const [confirming, setConfirming] = useState(false);
  const consent = model.consent.value;
  if (!consent) return null;
  return (
    <section class="wb-card" data-testid="consent-panel">
      <h2>{t('consent.title')}</h2>
      {consent.withdrawnAt ? (
        <p class="wb-warning">{t('consent.withdrawn')}</p>
      ) : confirming ? (
        <div role="alertdialog" aria-label={t('consent.title')} data-testid="consent-confirm">
          <p>{t('consent.confirm_text')}</p>
          <button type="button" class="wb-danger" onClick={() => void model.withdrawConsent()}>
            {t('consent.confirm')}
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            {t('consent.cancel')}
          </button>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          {t('consent.withdraw')}
        </button>
      )}
    </section>
  );
}
