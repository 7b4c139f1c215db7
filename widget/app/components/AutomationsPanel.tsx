import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod/mini';
import type { DpAutomationView } from '../../../contract/automation';
import type { NumberList } from '../../../contract/whatsapp';
import type { ApiClient } from '../api/api-client';
import { isApiError } from '../api/api-error';
import type { Translate } from '../i18n/translate';
import type { LicenceModel } from '../models/licence-model';

const EMPTY = { name: '', numberId: '', template: '', language: 'en_US', parameters: '' };
type Form = typeof EMPTY;

const toForm = (a: DpAutomationView): Form => ({ name: a.name, numberId: a.numberId ?? '', template: a.template, language: a.language, parameters: a.parameters.join('\n') });
const toInput = (f: Form) => ({
  name: f.name.trim(),
  numberId: f.numberId || null,
  template: f.template.trim(),
  language: f.language.trim(),
  parameters: f.parameters.split('\n').map((p) => p.trim()).filter(Boolean),
});

/**
 * The admin's digital-pipeline automations (SPEC §7): what Wabridge sends when a lead enters a
 * stage. Kommo's action settings only pick one of these by name; its id is all Kommo keeps.
 */
export function AutomationsPanel({ api, licence, t }: { api: ApiClient; licence: LicenceModel; t: Translate }) {
  const [list, setList] = useState<DpAutomationView[] | null>(null);
  const [numbers, setNumbers] = useState<z.infer<typeof NumberList>['numbers']>([]);
  const [editing, setEditing] = useState<string | null>(null);
  const [form, setForm] = useState<Form>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const fail = (err: unknown) => setError(isApiError(err) ? err.message : String(err));
  const load = () =>
    Promise.all([api.automations(), api.numbers()]).then(([a, n]) => {
      setList(a.automations);
      setNumbers(n.numbers);
    }, fail);
  useEffect(() => {
    void load();
  }, [api]);
  if (!list) return null;
  const gate = licence.status.value?.capabilities.automation;
  const off = Boolean(gate && !gate.allowed);
  const reset = () => {
    setEditing(null);
    setForm(EMPTY);
    setError(null);
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const input = toInput(form);
    void (editing ? api.updateAutomation(editing, input) : api.createAutomation(input)).then(() => {
      reset();
      return load();
    }, fail);
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
      {gate && !gate.allowed && <p class="wb-warning" data-testid="automations-off">{gate.message}</p>}
      {list.length === 0 && <p class="wb-muted">{t('automations.empty')}</p>}
      <ul>
        {list.map((a) => (
          <li key={a.id} data-testid="automation">
            <strong>{a.name}</strong> · <code>{a.template}</code> ({a.language}) · {t('automations.id')} <code>{a.id}</code>{' '}
            <button type="button" class="wb-link" disabled={off} onClick={() => (setEditing(a.id), setForm(toForm(a)))}>
              {t('automations.edit')}
            </button>
            <button type="button" class="wb-link" onClick={() => void api.deleteAutomation(a.id).then(() => (editing === a.id ? reset() : undefined)).then(load, fail)}>
              {t('automations.delete')}
            </button>
          </li>
        ))}
      </ul>
      <form class="wb-form" data-testid="automation-form" onSubmit={submit}>
        {field('name')}
        <label>
          {t('automations.number')}
          <select name="numberId" value={form.numberId} onChange={(e) => setForm({ ...form, numberId: (e.target as HTMLSelectElement).value })}>
            <option value="">{t('automations.first_number')}</option>
            {numbers.map((n) => (
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
          <textarea name="parameters" rows={3} value={form.parameters} onInput={(e) => setForm({ ...form, parameters: (e.target as HTMLTextAreaElement).value })} />
        </label>
        <button type="submit" disabled={off || !form.name.trim() || !form.template.trim()}>
          {t(editing ? 'automations.save' : 'automations.create')}
        </button>
        {editing && (
          <button type="button" class="wb-link" onClick={reset}>
            {t('automations.cancel')}
          </button>
        )}
      </form>
      {error && (
        <p class="wb-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
