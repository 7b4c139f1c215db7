import { useEffect, useState } from 'preact/hooks';
import { formatDate } from '../i18n/format';
import type { Translate } from '../i18n/translate';
import type { WebhooksModel } from '../models/webhooks-model';
import { ConfirmAction } from './ConfirmAction';

/** Outgoing webhooks: each receiver with its signing secret (shown once, beside it), its delivery log, and removal. */
export function WebhooksPanel({ model, t, language }: { model: WebhooksModel; t: Translate; language: string }) {
  const [url, setUrl] = useState('');
  useEffect(() => {
    void model.load();
  }, [model]);
  const endpoints = model.endpoints.value;
  if (!endpoints)
    return model.error.value ? (
      <p class="wb-error" role="alert">
        {model.error.value}
      </p>
    ) : null;
  const when = (iso: string | null) => (iso ? formatDate(iso, language, undefined, true) : t('developers.never'));
  const log = model.log.value;
  const shown = model.shownOnce.value;
  return (
    <section class="wb-card" data-testid="webhooks-panel">
      <h2>{t('developers.webhooks')}</h2>
      <p class="wb-muted">{t('developers.webhooks_intro')}</p>
      <ul class="wb-rows">
        {endpoints.map((w) => (
          <li key={w.id} data-testid="webhook">
            <code>{w.url}</code>{' '}
            <button type="button" class="wb-link" onClick={() => void model.showLog(w.id)}>
              {t('developers.log')}
            </button>{' '}
            <ConfirmAction
              testId="remove-webhook"
              label={t('developers.remove_webhook')}
              question={t('developers.remove_webhook_confirm', { url: w.url })}
              confirm={t('developers.remove_webhook_yes')}
              cancel={t('consent.cancel')}
              busy={model.busy.value}
              onConfirm={() => model.remove(w.id)}
            />
            {shown?.id === w.id && (
              <p class="wb-ok" data-testid="new-webhook-secret">
                {t('developers.secret_once')} <code data-testid="shown-once">{shown.secret}</code>
              </p>
            )}
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
              <td>
                {d.deliveredAt
                  ? t('developers.delivered', { status: d.lastStatus ?? '' })
                  : d.gaveUpAt
                    ? t('developers.gave_up', { error: d.lastError ?? '' })
                    : t('developers.retrying', { error: d.lastError ?? '', when: when(d.nextAttemptAt) })}
              </td>
            </tr>
          ))}
        </table>
      )}
      <form
        class="wb-form"
        data-testid="create-webhook"
        onSubmit={(e) => {
          e.preventDefault();
          void model.add(url.trim()).then((ok) => ok && setUrl(''));
        }}
      >
        <label>
          {t('developers.webhook_url')}
          <input name="webhookUrl" type="url" placeholder="https://" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={!url.trim() || model.busy.value}>
          {t('developers.add_webhook')}
        </button>
      </form>
      {model.error.value && (
        <p class="wb-error" role="alert">
          {model.error.value}
        </p>
      )}
    </section>
  );
}
