import { useEffect, useState } from 'preact/hooks';
import { formatDate } from '../i18n/format';
import type { Translate } from '../i18n/translate';
import type { ApiKeysModel } from '../models/api-keys-model';
import type { LicenceModel } from '../models/licence-model';

/** Public-API keys: each shown once when created, revocable, with the reference beside them. */
export function ApiKeysPanel({ model, licence, t, language }: { model: ApiKeysModel; licence: LicenceModel; t: Translate; language: string }) {
  const [name, setName] = useState('');
  useEffect(() => {
    void model.load();
  }, [model]);
  const keys = model.keys.value;
  if (!keys)
    return model.error.value ? (
      <p class="wb-error" role="alert">
        {model.error.value}
      </p>
    ) : null;
  const gate = licence.status.value?.capabilities.api_keys;
  const when = (iso: string | null) => (iso ? formatDate(iso, language, undefined, true) : t('developers.never'));
  return (
    <section class="wb-card" data-testid="api-keys-panel">
      <h2>{t('developers.keys')}</h2>
      <p class="wb-muted">
        {t('developers.docs')}{' '}
        <a href="/docs" target="_blank" rel="noopener">
          /docs
        </a>{' '}
        ·{' '}
        <a href="/openapi.json" target="_blank" rel="noopener">
          /openapi.json
        </a>
      </p>
      {gate && !gate.allowed && (
        <p class="wb-warning" data-testid="api-keys-off">
          {gate.message}
        </p>
      )}
      <ul class="wb-rows">
        {keys.map((k) => (
          <li key={k.id} data-testid="api-key">
            <strong>{k.name}</strong> <code>{k.prefix}…</code> · {t('developers.last_used', { when: when(k.lastUsedAt) })}
            {k.revokedAt ? (
              <span class="wb-muted"> · {t('developers.revoked')}</span>
            ) : (
              <>
                {' '}
                <button type="button" class="wb-link" disabled={model.busy.value} onClick={() => void model.revoke(k.id)}>
                  {t('developers.revoke')}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      <form
        class="wb-form"
        data-testid="create-api-key"
        onSubmit={(e) => {
          e.preventDefault();
          void model.create(name.trim()).then((ok) => ok && setName(''));
        }}
      >
        <label>
          {t('developers.key_name')}
          <input name="keyName" value={name} maxLength={80} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={!name.trim() || model.busy.value || (gate && !gate.allowed)}>
          {t('developers.create_key')}
        </button>
      </form>
      {model.shownOnce.value && (
        <p class="wb-ok" data-testid="new-api-key">
          {t('developers.key_once')} <code data-testid="shown-once">{model.shownOnce.value}</code>
        </p>
      )}
      {model.error.value && (
        <p class="wb-error" role="alert">
          {model.error.value}
        </p>
      )}
    </section>
  );
}
