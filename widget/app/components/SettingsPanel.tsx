import type { Translate } from '../i18n/translate';
import type { AccountAdminModel } from '../models/account-admin-model';
import type { LicenceModel } from '../models/licence-model';

/** Account settings; a gated one is shown switched off with the reason, never hidden. */
export function SettingsPanel({ model, licence, t }: { model: AccountAdminModel; licence: LicenceModel; t: Translate }) {
  const settings = model.settings.value;
  if (!settings) return null;
  const gate = licence.status.value?.capabilities.auto_create;
  const blocked = gate && !gate.allowed && !settings.autoCreateFromInbound;
  return (
    <section class="wb-card" data-testid="settings-panel">
      <h2>{t('settings_panel.title')}</h2>
      <label class="wb-check">
        <input
          type="checkbox"
          name="autoCreateFromInbound"
          checked={settings.autoCreateFromInbound}
          disabled={Boolean(blocked) || model.saving.value}
          onChange={(e) => void model.updateSettings({ autoCreateFromInbound: (e.target as HTMLInputElement).checked })}
        />
        <span>{t('settings_panel.auto_create')}</span>
      </label>
      <label class="wb-check">
        <input
          type="checkbox"
          name="replyTasks"
          checked={settings.replyTasks}
          disabled={model.saving.value}
          onChange={(e) => void model.updateSettings({ replyTasks: (e.target as HTMLInputElement).checked })}
        />
        <span>{t('settings_panel.reply_tasks')}</span>
      </label>
      {blocked && gate && !gate.allowed && (
        <p class="wb-muted" data-testid="auto-create-off">
          {t(`capabilities.off.${gate.code}`, { plan: licence.status.value?.kommoPlan.name ?? t('capabilities.unknown_plan') })}
        </p>
      )}
    </section>
  );
}
