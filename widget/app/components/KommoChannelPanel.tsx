import { useEffect } from 'preact/hooks';
import type { Translate } from '../i18n/translate';
import type { KommoChannelModel } from '../models/kommo-channel-model';

/**
 * The admin's switch for Kommo's native chat channel (SPEC §5): WhatsApp conversations also in
 * Kommo's inbox, answered from Kommo's chat. Shown with the numbers, whose conversations it carries
 * (decision 034). Off and explained when the installation has no channel (KOMMO_CHANNEL_* unset).
 */
export function KommoChannelPanel({ model, t }: { model: KommoChannelModel; t: Translate }) {
  useEffect(() => {
    void model.load();
    return model.watch();
  }, [model]);
  const view = model.view.value;
  if (!view)
    return model.error.value ? (
      <p class="wb-error" role="alert">
        {model.error.value}
      </p>
    ) : null;
  return (
    <section class="wb-card" data-testid="kommo-channel-panel" data-state={view.state}>
      <h2>{t('kommo_channel.title')}</h2>
      <p class="wb-muted">{t('kommo_channel.help')}</p>
      <label class="wb-check">
        <input
          type="checkbox"
          role="switch"
          name="kommoChannel"
          data-testid="kommo-channel-switch"
          checked={view.enabled}
          aria-checked={view.enabled}
          disabled={model.busy.value || (!view.available && !view.enabled)}
          onChange={(e) => void model.setEnabled((e.target as HTMLInputElement).checked)}
        />
        <span>{t('kommo_channel.switch')}</span>
      </label>
      {view.available ? (
        <p class="wb-muted" data-testid="kommo-channel-state" aria-live="polite">
          {t(`kommo_channel.state.${view.state}`)}
        </p>
      ) : (
        <p class="wb-warning" data-testid="kommo-channel-unavailable">
          {t('kommo_channel.unavailable')}
        </p>
      )}
      {view.lastError && (
        <p class="wb-warning" data-testid="kommo-channel-last-error">
          {t('kommo_channel.last_error', { error: view.lastError })}
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
