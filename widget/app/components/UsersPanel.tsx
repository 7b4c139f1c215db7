import { useEffect } from 'preact/hooks';
import type { Translate } from '../i18n/translate';
import type { UsersModel } from '../models/users-model';

/** The admin decides which users may use Wabridge. */
export function UsersPanel({ model, t, selfId }: { model: UsersModel; t: Translate; selfId: number }) {
  useEffect(() => {
    void model.load();
  }, [model]);
  return (
    <section class="wb-users" data-testid="wabridge-users">
      <h2>{t('app.users.title')}</h2>
      {model.error.value && (
        <p role="alert" class="wb-error">
          {model.error.value}
        </p>
      )}
      <ul>
        {model.users.value.map((u) => (
          <li key={u.id}>
            <label>
              <input
                type="checkbox"
                checked={u.enabled}
                disabled={u.id === selfId}
                onChange={(e) => void model.setEnabled(u.id, (e.target as HTMLInputElement).checked)}
              />{' '}
              {u.name ?? `#${u.id}`} · {t(`app.role.${u.role}`)}
            </label>
          </li>
        ))}
      </ul>
    </section>
  );
}
