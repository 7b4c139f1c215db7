import { useEffect } from 'preact/hooks';
import type { ReadonlySignal } from '@preact/signals';
import type { LicenceModel } from '../models/licence-model';
import type { SessionModel } from '../models/session-model';
import type { ChatModel } from '../models/chat-model';
import type { ScreenModels } from '../models/screen-models';
import { describeError } from '../i18n/error-sentence';
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
  licence: LicenceModel;
  chat: ChatModel;
  /** The settings, advanced settings and list screens' models: null until the first of those screens loads them. */
  screens: ReadonlySignal<ScreenModels | null>;
}

export function App(models: AppModels) {
  const { session } = models;
  const t = session.t.value;
  if (!session.strings.value) return null;
  const context = session.context.value;
  // A card draws its chat as soon as the loader hands the card over: the chat does not wait for
  // `/me` (the header does, in a place kept for it). Other screens wait for the user and role.
  const cardFirst = context?.area === 'card' && session.status.value === 'connecting';
  if (session.status.value === 'connecting' && !cardFirst) {
    return (
      <p class="wb-muted" data-testid="wabridge-connecting">
        {t('app.connecting')}
      </p>
    );
  }
  const error = session.error.value;
  if (session.status.value === 'error' && error) {
    const text = describeError(error, t);
    return (
      <div class="wb-error" role="alert" data-testid="wabridge-error" data-code={error.code}>
        <p>{text}</p>
        <button type="button" onClick={() => void session.reload()}>
          {t('app.retry')}
        </button>
      </div>
    );
  }
  if (!context || (!session.me.value && !cardFirst)) return null;
  return <Ready {...models} />;
}

function Ready({ session, licence, chat, screens }: AppModels) {
  const t = session.t.value;
  const language = session.language.value;
  const me = session.me.value;
  const context = session.context.value!;
  const adminArea = context.area === 'settings' || context.area === 'advanced_settings';
  const models = screens.value;
  const broadcasts = models?.broadcasts;
  useEffect(() => {
    if (me) void licence.load();
  }, [licence, me]);
  return (
    <main class="wb-app" data-testid="wabridge-app" data-area={context.area}>
      {me ? <SignedIn me={me} t={t} language={language} /> : <header class="wb-header wb-header--waiting" />}
      {context.area === 'card' ? <LicenceLine model={licence} t={t} language={language} /> : <LicenceCard model={licence} t={t} language={language} />}
      {context.area === 'card' && (
        <ChatPanel
          chat={chat}
          contacts={context.contacts}
          leadId={context.entity === 'leads' ? context.entityId : null}
          t={t}
          language={language}
          isAdmin={session.isAdmin.value}
        />
      )}
      {context.area === 'list' && broadcasts && (
        <>
          <p data-testid="wabridge-selected">{t('app.list.selected', { count: context.selected.length })}</p>
          <BroadcastComposer model={broadcasts} licence={licence} audience={{ kind: 'selection', selected: context.selected }} t={t} language={language} />
        </>
      )}
      {context.area === 'advanced_settings' && broadcasts && <BroadcastsList model={broadcasts} licence={licence} t={t} language={language} />}
      {adminArea && session.isAdmin.value && models && <AdminScreens {...models} licence={licence} t={t} language={language} selfId={me!.user.id} />}
      {adminArea && !session.isAdmin.value && (
        <p class="wb-muted" data-testid="admin-only">
          {t('app.settings.admin_only')}
        </p>
      )}
    </main>
  );
}
