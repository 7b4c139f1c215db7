import { useEffect, useState } from 'preact/hooks';
import type { DpAutomationView } from '../../../contract/automation';
import type { Translate } from '../i18n/translate';
import type { AutomationsModel } from '../models/automations-model';
import type { LicenceModel } from '../models/licence-model';

const EMPTY = { name: '', numberId: '', template: '', language: 'en_US', parameters: '' };
type Form = typeof EMPTY;

const toForm = (a: DpAutomationView): Form => ({
  name: a.name,
  numberId: a.numberId ?? '',
  template: a.template,
  language: a.language,
  parameters: a.parameters.join('\n'),
});
const toInput = (f: Form) => ({
  name: f.name.trim(),
  numberId: f.numberId || null,
  template: f.template.trim(),
  language: f.language.trim(),
  parameters: f.parameters
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean),
});

/**
 * The admin's digital-pipeline automations (SPEC §7): what Wabridge sends when a lead enters a
 * stage. Kommo's action settings only pick one of these by name; its id is all Kommo keeps.
 */
export function AutomationsPanel({ model, licence, t }: { model: AutomationsModel; licence: LicenceModel; t: Translate }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [form, setForm] = useState<Form>(EMPTY);
  useEffect(() => {
    void model.load();
  }, [model]);
  const list = model.list.value;
  if (!list)
    return model.error.value ? (
      <p class="wb-error" role="alert">
        {model.error.value}
      </p>
    ) : null;
  const gate = licence.status.value?.capabilities.automation;
  const off = Boolean(gate && !gate.allowed);
  const reset = () => {
    setEditing(null);
    setForm(EMPTY);
    model.clearError();
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await model.save(toInput(form), editing)) reset();
  };
  const remove = async (id: string) => {
    if ((await model.remove(id)) && editing === id) reset();
  };
  const field = (name: 'name' | 'template' | 'language') => (
    <label>
      {t(`automations.${name}`)}
      <input name={name} value={form[name]} autocomplete="off" onInput={(e) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value })} />
    </label>
  );
  return (
    <section class="wb-card" data-testid="automations-panel">
      <h2>{t('automations.title')}</h2>
      <p class="wb-muted">{t('automations.help')}</p>
      {gate && !gate.allowed && (
        <p class="wb-warning" data-testid="automations-off">
          {gate.message}
        </p>
      )}
      {list.length === 0 && <p class="wb-muted">{t('automations.empty')}</p>}
      <ul>
        {list.map((a) => (
          <li key={a.id} data-testid="automation">
            <strong>{a.name}</strong> · <code>{a.template}</code> ({a.language}) · {t('automations.id')} <code>{a.id}</code>{' '}
            <button type="button" class="wb-link" disabled={off} onClick={() => (setEditing(a.id), setForm(toForm(a)))}>
              {t('automations.edit')}
            </button>
            <button type="button" class="wb-link" disabled={model.busy.value} onClick={() => void remove(a.id)}>
              {t('automations.delete')}
            </button>
          </li>
        ))}
      </ul>
      <form class="wb-form" data-testid="automation-form" onSubmit={(e) => void submit(e)}>
        {field('name')}
        <label>
          {t('automations.number')}
          <select name="numberId" value={form.numberId} onChange={(e) => setForm({ ...form, numberId: (e.target as HTMLSelectElement).value })}>
            <option value="">{t('automations.first_number')}</option>
            {model.numbers.value.map((n) => (
              <option key={n.id} value={n.id}>
                {n.displayPhoneNumber}
              </option>
            ))}
          </select>
        </label>
        {field('template')}
        {field('language')}
        <label>
          {t('automations.parameters')}
          <textarea
            name="parameters"
            rows={3}
            value={form.parameters}
            onInput={(e) => setForm({ ...form, parameters: (e.target as HTMLTextAreaElement).value })}
          />
        </label>
        <button type="submit" disabled={off || model.busy.value || !form.name.trim() || !form.template.trim()}>
          {t(editing ? 'automations.save' : 'automations.create')}
        </button>
        {editing && (
          <button type="button" class="wb-link" onClick={reset}>
            {t('automations.cancel')}
          </button>
        )}
      </form>
      {model.error.value && (
        <p class="wb-error" role="alert">
          {model.error.value}
        </p>
      )}
    </section>
  );
}
