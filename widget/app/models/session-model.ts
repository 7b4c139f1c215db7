import { computed, effect, signal } from '@preact/signals';
import type { MeResponse } from '../../../contract/account';
import type { HostContext } from '../../../contract/host-messages';
import type { CardChat } from '../../../contract/whatsapp';
import type { z } from 'zod/mini';
import type { ApiClient } from '../api/api-client';
import { isApiError } from '../api/api-error';
import type { Host } from '../host/host';
import { loadStrings, translator, type Strings } from '../i18n/translate';

export type SessionStatus = 'connecting' | 'ready' | 'error';

/**
 * Who is signed in and where the widget is shown. The loader hands over the session and context;
 * the model keeps the token fresh and loads the account and user.
 */
export function createSessionModel(deps: { host: Host; createApi: (getToken: () => string | null) => ApiClient; initialLanguage?: string }) {
  const status = signal<SessionStatus>('connecting');
  const error = signal<{ code: string; message: string } | null>(null);
  const context = signal<HostContext | null>(null);
  const me = signal<MeResponse | null>(null);
  const token = signal<string | null>(null);
  const language = computed(() => context.value?.language ?? deps.initialLanguage ?? 'en');
  // Nothing is shown until the language's strings are here (they load with the session).
  const strings = signal<Strings | null>(null);
  const t = computed(() => translator(strings.value ?? {}, language.value));
  /** The role the session was given: known with the context, before `/me` answers. */
  const role = signal<'admin' | 'agent' | null>(null);
  const isAdmin = computed(() => (me.value?.user.role ?? role.value) === 'admin');

  const api = deps.createApi(() => token.value);
  /** The card's chat the loader handed over with the context, until it is taken. */
  let cardChat: z.infer<typeof CardChat> | undefined;

  async function loadMe() {
    try {
      me.value = await api.me();
      error.value = null;
      status.value = 'ready';
    } catch (err) {
      error.value = isApiError(err) ? { code: err.code, message: err.message } : { code: 'unknown', message: String(err) };
      status.value = 'error';
    }
  }

  function start(): () => void {
    const stopStrings = effect(() => {
      const wanted = language.value;
      void loadStrings(wanted).then((loaded) => {
        if (language.value === wanted) strings.value = loaded;
      });
    });
    const stopListening = deps.host.listen((message) => {
      switch (message.type) {
        case 'wabridge:context':
          // The token first: what the new context starts loading uses it; so does the card's chat
          // when the sign-in brought it (docs/decisions/040).
          token.value = message.session.token;
          role.value = message.session.role;
          cardChat = message.cardChat;
          context.value = message.context;
          void loadMe();
          break;
        case 'wabridge:session':
          token.value = message.session.token;
          if (status.value === 'error') void loadMe();
          break;
        case 'wabridge:session-error':
          error.value = message.error;
          status.value = 'error';
          break;
      }
    });
    deps.host.send({ type: 'wabridge:ready' });
    return () => {
      stopListening();
      stopStrings();
    };
  }

  return {
    status,
    error,
    context,
    me,
    language,
    strings,
    t,
    isAdmin,
    api,
    start,
    reload: loadMe,
    /** The card's chat that came with the context, once (a later context brings its own, or none). */
    takeCardChat() {
      const taken = cardChat;
      cardChat = undefined;
      return taken;
    },
  };
}
export type SessionModel = ReturnType<typeof createSessionModel>;
