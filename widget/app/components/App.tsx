import { useEffect } from 'preact/hooks';
import type { AccountAdminModel } from '../models/account-admin-model';
import type { LicenceModel } from '../models/licence-model';
import type { OrdersModel } from '../models/orders-model';
import type { SessionModel } from '../models/session-model';
import type { UsersModel } from '../models/users-model';
import type { BroadcastsModel } from '../models/broadcasts-model';
import type { ChatModel } from '../models/chat-model';
import { ChatPanel } from './ChatPanel';
import { lazyScreen } from './lazy';
import { LicenceCard, LicenceLine } from './LicenceCard';
import { SignedIn } from './SignedIn';

// Admin and broadcast screens are chunks of their own, fetched where they are shown.
const AdminScreens = lazyScreen(() => import(/* webpackChunkName: "admin" */ './AdminScreens').then((m) => m.AdminScreens));
const BroadcastComposer = lazyScreen(() => import(/* webpackChunkName: "broadcasts" */ './Broadcasts').then((m) => m.BroadcastComposer));
const BroadcastsList = lazyScreen(() => import(/* webpackChunkName: "broadcasts" */ './Broadcasts').then((m) => m.BroadcastsList));

export interface AppModels {
  session: SessionModel;
  users: UsersModel;
  licence: LicenceModel;
  admin: AccountAdminModel;
  orders: OrdersModel;
  chat: ChatModel;
  broadcasts: BroadcastsModel;
}

export function App(models: AppModels) {
  const { session } = models;
  const t = session.t.value;
  if (!session.strings.value) return null;
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
  return <Ready {...models} />;
}

function Ready({ session, users, licence, admin, orders, chat, broadcasts }: AppModels) {
  const t = session.t.value;
  const language = session.language.value;
  const me = session.me.value!;
  const context = session.context.value!;
  const adminArea = context.area === 'settings' || context.area === 'advanced_settings';
  useEffect(() => {
    void licence.load();
  }, [licence, me]);
  return (
    <main class="wb-app" data-testid="wabridge-app" data-area={context.area}>
      <SignedIn me={me} t={t} language={language} />
      {context.area === 'card' ? <LicenceLine model={licence} t={t} language={language} /> : <LicenceCard model={licence} t={t} language={language} />}
      {context.area === 'card' && <ChatPanel chat={chat} contacts={context.contacts} t={t} language={language} isAdmin={session.isAdmin.value} />}
      {context.area === 'list' && (
        <>
          <p data-testid="wabridge-selected">{t('app.list.selected', { count: context.selected.length })}</p>
          <BroadcastComposer model={broadcasts} licence={licence} audience={{ kind: 'selection', selected: context.selected }} t={t} language={language} />
        </>
      )}
      {context.area === 'advanced_settings' && <BroadcastsList model={broadcasts} licence={licence} t={t} language={language} />}
      {adminArea && session.isAdmin.value && <AdminScreens admin={admin} licence={licence} users={users} orders={orders} api={session.api} t={t} language={language} selfId={me.user.id} />}
      {adminArea && !session.isAdmin.value && <p class="wb-muted" data-testid="admin-only">{t('app.settings.admin_only')}</p>}
    </main>
  );
}
