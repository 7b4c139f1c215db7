import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod/mini';
import type { ApiKeyList, WebhookDeliveryList, WebhookEndpointList } from '../../../contract/public-api';
import type { ApiClient } from '../api/api-client';
import { describeError } from '../i18n/error-sentence';
import { formatDate } from '../i18n/format';
import type { Translate } from '../i18n/translate';
import type { LicenceModel } from '../models/licence-model';

/** API keys (shown once) and outgoing webhooks with their delivery log: the admin's developer tools. */
export function DevelopersPanel({ api, licence, t, language }: { api: ApiClient; licence: LicenceModel; t: Translate; language: string }) {
  const [keys, setKeys] = useState<z.infer<typeof ApiKeyList>['keys'] | null>(null);
  const [endpoints, setEndpoints] = useState<z.infer<typeof WebhookEndpointList>['endpoints']>([]);
  const [log, setLog] = useState<{ id: string; deliveries: z.infer<typeof WebhookDeliveryList>['deliveries'] } | null>(null);
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [shown, setShown] = useState<{ kind: 'key' | 'secret'; value: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fail = (err: unknown) => setError(describeError(err, t, { name: 'developers.key_name', url: 'developers.webhook_url' }));
  const load = () =>
    Promise.all([api.apiKeys(), api.webhooks()]).then(([k, w]) => {
      setKeys(k.keys);
      setEndpoints(w.endpoints);
    }, fail);
  useEffect(() => {
    void load();
  }, [api]);
  if (!keys) return null;
  const gate = licence.status.value?.capabilities.api_keys;
  const when = (iso: string | null) => (iso ? formatDate(iso, language, undefined, true) : t('developers.never'));
  return (
    <section class="wb-card" data-testid="developers-panel">
      <h2>{t('developers.title')}</h2>
      <p class="wb-muted">
        {t('developers.docs')} <a href="/docs" target="_blank" rel="noopener">/docs</a> · <a href="/openapi.json" target="_blank" rel="noopener">/openapi.json</a>
      </p>
      {gate && !gate.allowed && <p class="wb-warning" data-testid="api-keys-off">{t(`capabilities.off.${gate.code}`, { plan: licence.status.value?.kommoPlan.name ?? t('capabilities.unknown_plan') })}</p>}
      <h3>{t('developers.keys')}</h3>
      <ul>
        {keys.map((k) => (
          <li key={k.id} data-testid="api-key">
            <strong>{k.name}</strong> <code>{k.prefix}…</code> · {t('developers.last_used', { when: when(k.lastUsedAt) })}
            {k.revokedAt ? (
              <span class="wb-muted"> · {t('developers.revoked')}</span>
            ) : (
              <button type="button" class="wb-link" onClick={() => void api.revokeApiKey(k.id).then(load, fail)}>
                {t('developers.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <form
        class="wb-form"
        data-testid="create-api-key"
        onSubmit={(e) => {
          e.preventDefault();
          void api.createApiKey(name.trim()).then((k) => {
            setShown({ kind: 'key', value: k.key });
            setName('');
            setError(null);
            return load();
          }, fail);
        }}
      >
        <label>
          {t('developers.key_name')}
          <input name="keyName" value={name} maxLength={80} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={!name.trim() || (gate && !gate.allowed)}>
          {t('developers.create_key')}
        </button>
      </form>
      {shown && (
        <p class="wb-ok" data-testid={shown.kind === 'key' ? 'new-api-key' : 'new-webhook-secret'}>
          {t(shown.kind === 'key' ? 'developers.key_once' : 'developers.secret_once')} <code data-testid="shown-once">{shown.value}</code>
        </p>
      )}
      <h3>{t('developers.webhooks')}</h3>
      <ul>
        {endpoints.map((w) => (
          <li key={w.id} data-testid="webhook">
            <code>{w.url}</code>{' '}
            <button type="button" class="wb-link" onClick={() => void api.webhookDeliveries(w.id).then((d) => setLog({ id: w.id, deliveries: d.deliveries }), fail)}>
              {t('developers.log')}
            </button>
          </li>
        ))}
      </ul>
      {log && (
        <table data-testid="webhook-log">
          <tr>
            <th>{t('developers.event')}</th>
            <th>{t('developers.attempts')}</th>
            <th>{t('developers.result')}</th>
          </tr>
          {log.deliveries.map((d) => (
            <tr key={d.eventId}>
              <td>
                {d.type} · {when(d.createdAt)}
              </td>
              <td>{d.attempts}</td>
              <td>{d.deliveredAt ? t('developers.delivered', { status: d.lastStatus ?? '' }) : d.gaveUpAt ? t('developers.gave_up', { error: d.lastError ?? '' }) : t('developers.retrying', { error: d.lastError ?? '', when: when(d.nextAttemptAt) })}</td>
            </tr>
          ))}
        </table>
      )}
      <form
        class="wb-form"
        data-testid="create-webhook"
        onSubmit={(e) => {
          e.preventDefault();
          void api.createWebhook(url.trim()).then((w) => {
            setShown({ kind: 'secret', value: w.secret });
            setUrl('');
            setError(null);
            return load();
          }, fail);
        }}
      >
        <label>
          {t('developers.webhook_url')}
          <input name="webhookUrl" type="url" placeholder="https://" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={!url.trim()}>
          {t('developers.add_webhook')}
        </button>
      </form>
      {error && (
        <p class="wb-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
