import type { SessionModel } from '../models/session-model';
import type { UsersModel } from '../models/users-model';
import { CardContacts } from './CardContacts';
import { SignedIn } from './SignedIn';
import { UsersPanel } from './UsersPanel';

export function App({ session, users }: { session: SessionModel; users: UsersModel }) {
  const t = session.t.value;
  if (session.status.value === 'connecting') {
    return <p class="wb-muted" data-testid="wabridge-connecting">{t('app.connecting')}</p>;
  }
  const error = session.error.value;
  if (session.status.value === 'error' && error) {
    const known = `app.errors.${error.code}`;
    const text = t(known) === known ? error.message : t(known);
    return (
      <div class="wb-error" role="alert" data-testid="wabridge-error" data-code={error.code}>
        <p>{text}</p>
        <button type="button" onClick={() => void session.reload()}>
          {t('app.retry')}
        </button>
      </div>
    );
  }
  const me = session.me.value;
  const context = session.context.value;
  if (!me || !context) return null;
  const adminArea = context.area === 'settings' || context.area === 'advanced_settings';
  return (
    <main class="wb-app" data-testid="wabridge-app" data-area={context.area}>
      <SignedIn me={me} t={t} />
      {context.area === 'card' && <CardContacts contacts={context.contacts} t={t} />}
      {context.area === 'list' && <p data-testid="wabridge-selected">{t('app.list.selected', { count: context.selected.length })}</p>}
      {adminArea && session.isAdmin.value && <UsersPanel model={users} t={t} selfId={me.user.id} />}
      {adminArea && !session.isAdmin.value && <p class="wb-muted">{t('app.settings.admin_only')}</p>}
    </main>
  );
}
