import { effect, untracked } from '@preact/signals';
import { render } from 'preact';
import type { ApiClient } from './api/api-client';
import { App } from './components/App';
import type { Host } from './host/host';
import { describeError, describeFields, type Describe } from './i18n/error-sentence';
import { createAccountAdminModel } from './models/account-admin-model';
import { createBroadcastsModel } from './models/broadcasts-model';
import { createChatModel } from './models/chat-model';
import { createLicenceModel } from './models/licence-model';
import { createOrdersModel } from './models/orders-model';
import { createSessionModel } from './models/session-model';
import { createUsersModel } from './models/users-model';

export interface MountDeps {
  host: Host;
  createApi: (getToken: () => string | null) => ApiClient;
  language?: string;
  /** Opens a page in a new browser tab (payment pages cannot open inside Kommo's iframe). */
  openTab?: (url: string) => void;
}

/** Renders the app into `root`; returns the function that unmounts it and stops listening. */
export function mount(root: HTMLElement, deps: MountDeps): () => void {
  const session = createSessionModel({ host: deps.host, createApi: deps.createApi, initialLanguage: deps.language });
  // Errors are said in the user's language, with the strings of the moment they happen.
  const describe: Describe = (error, labels) => describeError(error, session.t.value, labels);
  const users = createUsersModel({ api: session.api, describe });
  const licence = createLicenceModel({ api: session.api, describe });
  // Withdrawing consent ends the account's use of Wabridge: reload shows why.
  const admin = createAccountAdminModel({ api: session.api, describe, describeFields: (error, labels) => describeFields(error, session.t.value, labels), onChanged: () => void session.reload() });
  const orders = createOrdersModel({
    api: session.api,
    describe,
    openTab: deps.openTab ?? ((url) => window.open(url, '_blank', 'noopener')),
    onPaid: () => {
      void licence.load();
      void admin.load();
    },
  });
  // Each message sent changes the allowance meter.
  const chat = createChatModel({ api: session.api, describe, onSent: () => void licence.load() });
  // A launch reserves messages: the allowance meter changes.
  const broadcasts = createBroadcastsModel({ api: session.api, describe, onLaunched: () => void licence.load() });
  const stop = session.start();
  // A card's chat starts loading as soon as the loader hands over the card, alongside the account
  // and user rather than after them; the chat panel then joins the same opening.
  const stopPrefetch = effect(() => {
    const context = session.context.value;
    if (context?.area === 'card') untracked(() => void chat.open(context.contacts));
  });
  render(<App session={session} users={users} licence={licence} admin={admin} orders={orders} chat={chat} broadcasts={broadcasts} />, root);

  // Tell the loader our height so the iframe fits its content.
  let observer: ResizeObserver | undefined;
  if (typeof ResizeObserver !== 'undefined') {
    observer = new ResizeObserver(() => deps.host.send({ type: 'wabridge:resize', height: Math.ceil(root.getBoundingClientRect().height) + 8 }));
    observer.observe(root);
  }
  return () => {
    observer?.disconnect();
    stopPrefetch();
    stop();
    render(null, root);
  };
}
