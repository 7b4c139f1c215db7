import { computed, signal } from '@preact/signals';
import type { z } from 'zod/mini';
import type { CardChat as CardChatSchema, ConversationView, MessageView, NumberView } from '../../../contract/whatsapp';
import type { ApiClient } from '../api/api-client';
import { ApiError, isApiError } from '../api/api-error';
import type { Describe, FieldLabels } from '../i18n/error-sentence';
import type { LiveModel } from './live-model';
import { CARD_FIRST_PAGE } from '../../../contract/card-chat-relay';
import { MEDIA_RULES, mediaProblem, type MediaKind } from '../../../contract/media-rules';
import { createQuickRepliesModel } from './quick-replies-model';
import { browserMedia, createVoiceRecorder, type VoiceMedia } from './voice-recorder-model';

type Conversation = z.infer<typeof ConversationView>;
type Message = z.infer<typeof MessageView>;
type CardChat = z.infer<typeof CardChatSchema>;
type WhatsAppNumber = z.infer<typeof NumberView>;

/** Going back in history reads a hundred at a time (the API's largest page). */
const PAGE = 100;
/** The message box and the template form, by their labels. */
const CHAT_LABELS: FieldLabels = {
  text: 'chat.message',
  caption: 'chat.message',
  phone: 'chat.phone',
  name: 'chat.template_name',
  'parameters.*': 'chat.template_param',
};

/**
 * The chat in a card: one conversation per phone of the card's contacts, on the account's number.
 * History pages backwards; the live stream brings new messages and statuses.
 */
export function createChatModel(deps: {
  api: ApiClient;
  live: LiveModel;
  describe: Describe;
  now?: () => number;
  onSent?: () => void;
  media?: VoiceMedia | null;
}) {
  const now = deps.now ?? (() => Date.now());
  const numbers = signal<WhatsAppNumber[] | null>(null);
  /** One per phone of the card's contacts, with the contact it belongs to (quick replies are filled from it). */
  const conversations = signal<{ phone: string; name: string; contactId: number | null; conversation: Conversation }[]>([]);
  const activeId = signal<string | null>(null);
  const messages = signal<Message[]>([]);
  const olderCursor = signal<string | null>(null);
  const error = signal<string | null>(null);
  const sending = signal(false);
  const tick = signal(now());
  /** The view keeps the newest message in view; false while the agent reads back (scrolled up). */
  const follow = signal(true);
  /** Messages arrived below while the agent read back: the view offers a way down. */
  const unseen = signal(false);

  const active = computed(() => conversations.value.find((c) => c.conversation.id === activeId.value)?.conversation ?? null);
  /** Milliseconds left in the 24-hour window, or 0 when it is closed. */
  const windowLeft = computed(() => {
    const closes = active.value?.windowClosesAt;
    return closes ? Math.max(0, Date.parse(closes) - tick.value) : 0;
  });

  const fail = (err: unknown) => {
    error.value = deps.describe(err, CHAT_LABELS);
  };

  let opening: { contacts: unknown; done: Promise<void> } | undefined;

  /** Conversations whose read receipt is on its way: asked for once (the card's opening and a re-read soon after both see it unread). */
  const marking = new Set<string>();
  /** The agent is looking at it: the customer's messages are read. */
  function markRead(id: string) {
    if (marking.has(id)) return;
    marking.add(id);
    void deps.api
      .markRead(id)
      .catch(() => undefined)
      .finally(() => marking.delete(id));
  }

  /** The active conversation again, with its newest page. */
  async function loadActive() {
    const id = activeId.value;
    if (!id) return;
    const [page, conversation] = await Promise.all([deps.api.messages(id), deps.api.conversation(id)]);
    // The agent went to another conversation meanwhile: this one is no longer on screen.
    if (activeId.value !== id) return;
    // Newest first from the API; oldest first on screen. A refresh of the conversation on screen
    // (a live event, a send) keeps the older pages the agent already scrolled back to.
    const newest = [...page.messages].reverse();
    const lastShown = messages.value.at(-1)?.id;
    const joinsAt = newest.length ? messages.value.findIndex((m) => m.id === newest[0]!.id) : -1;
    if (joinsAt > 0 && page.nextBefore) {
      messages.value = [...messages.value.slice(0, joinsAt), ...newest];
    } else {
      showNewest(page);
    }
    if (!follow.value && messages.value.at(-1)?.id !== lastShown) unseen.value = true;
    conversations.value = conversations.value.map((c) => (c.conversation.id === id ? { ...c, conversation } : c));
    if (conversation.unread > 0) markRead(id);
  }

  /** The newest page of the active conversation, oldest first on screen. */
  function showNewest(page: { messages: Message[]; nextBefore: string | null }) {
    messages.value = [...page.messages].reverse();
    olderCursor.value = page.nextBefore;
  }

  async function openFor(contacts: { id?: number; name: string; phones: string[] }[], mine: NonNullable<typeof opening>, answered?: CardChat) {
    // The card's contacts changed while this opening was on its way: a newer one took over, and this
    // answer (or failure) is out of date.
    const replaced = () => opening !== mine;
    try {
      // One round trip (docs/decisions/021): the numbers, a conversation per customer, the first one's newest page.
      const phones = contacts.flatMap((c) => c.phones.map((phone) => ({ phone, name: c.name, contactId: c.id ?? null })));
      const card =
        answered ??
        (await deps.api.cardChat(
          phones.map((p) => p.phone),
          CARD_FIRST_PAGE,
        ));
      if (replaced()) return;
      numbers.value = card.numbers;
      // An earlier opening's failure (a session the backend no longer took, say) is over.
      error.value = null;
      if (!card.numbers.length) {
        // Nothing to open yet: the next opening asks again (a number may be connected meanwhile).
        opening = undefined;
        return;
      }
      // A phone that is not one (a typo in the CRM) is left out rather than the whole chat, and one
      // phone written two ways is one conversation; only a card with no valid phone at all fails.
      const refused = card.refused[0];
      if (!card.conversations.length && refused) throw new ApiError(refused.error.code, refused.error.message, 400);
      conversations.value = card.conversations.map((c) => {
        const from = phones.find((p) => p.phone === c.phone);
        return { ...c, name: from?.name ?? '', contactId: from?.contactId ?? null };
      });
      const first = card.conversations[0]?.conversation;
      activeId.value = first?.id ?? null;
      if (first && card.page) {
        showNewest(card.page);
        if (first.unread > 0) markRead(first.id);
      }
    } catch (err) {
      if (replaced()) return;
      opening = undefined;
      fail(err);
    }
  }

  return {
    quickReplies: createQuickRepliesModel({ api: deps.api, describe: deps.describe }),
    /** Voice notes recorded in the composer (the browser's microphone unless the caller gives another). */
    voice: createVoiceRecorder({ media: deps.media === undefined ? browserMedia() : deps.media, now }),
    numbers,
    conversations,
    activeId,
    active,
    messages,
    olderCursor,
    error,
    sending,
    windowLeft,
    tick,
    follow,
    unseen,

    /** The agent scrolled: at the bottom the view follows new messages again, above it stays put. */
    scrolled(atBottom: boolean) {
      follow.value = atBottom;
      if (atBottom) unseen.value = false;
    },

    /** Back to the newest message (the "new messages" button, an own send, another conversation). */
    showNewest() {
      follow.value = true;
      unseen.value = false;
    },

    /**
     * Opens the card's conversations; asked again for the same contacts, it is the same opening.
     * `answered`: the card-chat answer for these contacts, when it came with the sign-in (not asked again).
     */
    open(contacts: { id?: number; name: string; phones: string[] }[], answered?: CardChat): Promise<void> {
      if (opening?.contacts === contacts) return opening.done;
      const mine: NonNullable<typeof opening> = { contacts, done: Promise.resolve() };
      opening = mine;
      // With an answer at hand the opening may be over (and forgotten) before this returns.
      mine.done = openFor(contacts, mine, answered);
      return mine.done;
    },

    async select(id: string) {
      activeId.value = id;
      follow.value = true;
      unseen.value = false;
      await loadActive().catch(fail);
    },

    mediaUrl: (messageId: string) => deps.api.mediaUrl(messageId),
    templates: async (numberId: string) => (await deps.api.templates(numberId).catch(() => ({ templates: [] }))).templates,
    refreshTemplates: async (numberId: string) => (await deps.api.refreshTemplates(numberId).catch(() => ({ templates: [] }))).templates,

    async loadOlder() {
      const id = activeId.value;
      if (!id || !olderCursor.value) return;
      // Going back is reading history: pages as large as the API gives (one round trip per hundred).
      const page = await deps.api.messages(id, olderCursor.value, PAGE);
      // The agent is reading back: the view keeps its place rather than jumping to the newest.
      follow.value = false;
      messages.value = [...[...page.messages].reverse(), ...messages.value];
      olderCursor.value = page.nextBefore;
    },

    /** Sends; `confirm` means someone else replied since the agent started typing and the agent must say yes. */
    async send(input: Parameters<ApiClient['send']>[1]): Promise<'sent' | 'confirm' | 'failed'> {
      const id = activeId.value;
      if (!id) return 'failed';
      sending.value = true;
      // What the agent sends is shown, wherever they had scrolled to.
      follow.value = true;
      unseen.value = false;
      try {
        await deps.api.send(id, input);
        error.value = null;
        deps.onSent?.();
        // It went: a failed reload of the chat is not a failed send (the live stream brings the message
        // later). Still sending until the chat is reloaded: the box is cleared only then, and Send again
        // meanwhile would send it twice.
        await loadActive().catch(() => undefined);
        return 'sent';
      } catch (err) {
        if (isApiError(err) && err.code === 'someone_replied') {
          error.value = deps.describe(err);
          await loadActive().catch(() => undefined);
          return 'confirm';
        }
        fail(err);
        await loadActive().catch(() => undefined);
        return 'failed';
      } finally {
        sending.value = false;
      }
    },

    /** The newest message on screen (what an agent has seen when they start typing). */
    newestId: () => messages.value.at(-1)?.id,

    async optIn() {
      const id = activeId.value;
      if (!id) return;
      await deps.api.optIn(id).catch(fail);
      await loadActive().catch(fail);
    },

    /** Sends a file, after checking it is a type and size WhatsApp takes. */
    async sendFile(file: File, caption?: string): Promise<boolean> {
      const id = activeId.value;
      if (!id) return false;
      const kind = kindOf(file.type);
      const problem = kind ? mediaProblem(kind, file.type, file.size) : { code: 'unsupported_media_type' };
      if (problem) {
        error.value = deps.describe(problem);
        return false;
      }
      sending.value = true;
      follow.value = true;
      unseen.value = false;
      try {
        await deps.api.sendMedia(id, file, kind!, { caption, filename: file.name });
        error.value = null;
        deps.onSent?.();
        await loadActive().catch(() => undefined);
        return true;
      } catch (err) {
        fail(err);
        return false;
      } finally {
        sending.value = false;
      }
    },

    /** Follows the live stream until the returned function is called: new messages and statuses of the conversation on screen. */
    live(): () => void {
      const timer = setInterval(() => (tick.value = now()), 30_000);
      const stop = deps.live.subscribe((type, data) => {
        // Each time the stream opens, what it did not hear is read again, once the card's opening is
        // done: after a drop, and at first (the card's chat was read before the stream opened).
        if (type === 'opened')
          void Promise.resolve(opening?.done)
            .then(loadActive)
            .catch(() => undefined);
        else if (data.conversationId && data.conversationId === activeId.value) void loadActive().catch(() => undefined);
      });
      return () => {
        stop();
        clearInterval(timer);
      };
    },
  };
}
export type ChatModel = ReturnType<typeof createChatModel>;

/** The WhatsApp kind a file goes as, from its type. */
export function kindOf(mimeType: string): MediaKind | undefined {
  const mime = mimeType.split(';')[0]!.trim().toLowerCase();
  return (Object.keys(MEDIA_RULES) as MediaKind[]).find((k) => (MEDIA_RULES[k].types as readonly string[]).includes(mime));
}
