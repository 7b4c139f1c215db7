import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod/mini';
import type { NumberList } from '../../../contract/whatsapp';
import type { ApiClient } from '../api/api-client';
import { describeError } from '../i18n/error-sentence';
import type { Translate } from '../i18n/translate';

const NUMBER_LABELS = { phoneNumberId: 'numbers.phoneNumberId', wabaId: 'numbers.wabaId', accessToken: 'numbers.accessToken' };

/** The admin connects WhatsApp Business numbers; Meta checks them before they are saved. */
export function NumbersPanel({ api, t }: { api: ApiClient; t: Translate }) {
  const [list, setList] = useState<z.infer<typeof NumberList> | null>(null);
  const [form, setForm] = useState({ phoneNumberId: '', wabaId: '', accessToken: '' });
  const [error, setError] = useState<string | null>(null);
  const load = () => api.numbers().then(setList, (err) => setError(describeError(err, t, NUMBER_LABELS)));
  useEffect(() => {
    void load();
  }, [api]);
  if (!list) return null;
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await api.connectNumber(form);
      setForm({ phoneNumberId: '', wabaId: '', accessToken: '' });
      setError(null);
      await load();
    } catch (err) {
      setError(describeError(err, t, NUMBER_LABELS));
    }
  };
  const field = (name: keyof typeof form, type = 'text') => (
    <label>
      {t(`numbers.${name}`)}
      <input type={type} name={name} value={form[name]} autocomplete="off" onInput={(e) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value })} />
    </label>
  );
  return (
    <section class="wb-card" data-testid="numbers-panel">
      <h2>{t('numbers.title')}</h2>
      <ul>
        {list.numbers.map((n) => (
          <li key={n.id} data-testid="number">
            {n.displayPhoneNumber} {n.verifiedName ? `· ${n.verifiedName}` : ''}
          </li>
        ))}
      </ul>
      <p class="wb-muted">{t('numbers.limit', { used: list.numbers.length, limit: list.limit })}</p>
      {list.numbers.length < list.limit && (
        <form class="wb-form" data-testid="connect-number" onSubmit={(e) => void submit(e)}>
          {field('phoneNumberId')}
          {field('wabaId')}
          {field('accessToken', 'password')}
          <button type="submit">{t('numbers.connect')}</button>
        </form>
      )}
      {error && <p class="wb-error" role="alert">{error}</p>}
    </section>
  );
}
