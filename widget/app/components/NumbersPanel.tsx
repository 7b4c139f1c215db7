import { useEffect, useState } from 'preact/hooks';
import type { Translate } from '../i18n/translate';
import type { ConnectNumberForm, NumbersModel } from '../models/numbers-model';
import { ConfirmAction } from './ConfirmAction';

const EMPTY: ConnectNumberForm = { phoneNumberId: '', wabaId: '', accessToken: '' };

/** The admin connects WhatsApp Business numbers (Meta checks them before they are saved) and removes them. */
export function NumbersPanel({ model, t }: { model: NumbersModel; t: Translate }) {
  const [form, setForm] = useState<ConnectNumberForm>(EMPTY);
  useEffect(() => {
    void model.load();
  }, [model]);
  const numbers = model.numbers.value;
  if (!numbers)
    return model.error.value ? (
      <p class="wb-error" role="alert">
        {model.error.value}
      </p>
    ) : null;
  const limit = model.limit.value;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await model.connect(form)) setForm(EMPTY);
  };
  const field = (name: keyof ConnectNumberForm, type = 'text') => (
    <label>
      {t(`numbers.${name}`)}
      <input
        type={type}
        name={name}
        value={form[name]}
        autocomplete="off"
        onInput={(e) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value })}
      />
    </label>
  );
  return (
    <section class="wb-card" data-testid="numbers-panel">
      <h2>{t('numbers.title')}</h2>
      <ul class="wb-rows">
        {numbers.map((n) => (
          <li key={n.id} data-testid="number">
            {n.displayPhoneNumber} {n.verifiedName ? `· ${n.verifiedName}` : ''}{' '}
            <ConfirmAction
              testId="remove-number"
              label={t('numbers.remove')}
              question={t('numbers.remove_confirm', { number: n.displayPhoneNumber })}
              confirm={t('numbers.remove_yes')}
              cancel={t('consent.cancel')}
              busy={model.busy.value}
              onConfirm={() => model.remove(n.id)}
            />
          </li>
        ))}
      </ul>
      <p class="wb-muted" data-testid="numbers-limit">
        {t('numbers.limit', { used: numbers.length, limit })}
      </p>
      {numbers.length < limit && (
        <form class="wb-form" data-testid="connect-number" onSubmit={(e) => void submit(e)}>
          {field('phoneNumberId')}
          {field('wabaId')}
          {field('accessToken', 'password')}
          <button type="submit" disabled={model.busy.value}>
            {t('numbers.connect')}
          </button>
        </form>
      )}
      {model.error.value && (
        <p class="wb-error" role="alert">
          {model.error.value}
        </p>
      )}
    </section>
  );
}
