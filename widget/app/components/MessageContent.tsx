import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod/mini';
import type { MessageView } from '../../../contract/whatsapp';
import type { Translate } from '../i18n/translate';
import type { ChatModel } from '../models/chat-model';

type Message = z.infer<typeof MessageView>;
type Content = Record<string, unknown>;

/** Message kinds with a name in `chat.kinds.*`; any other kind shows as `chat.kinds.unknown`. */
export const MESSAGE_KINDS = [
  'text',
  'template',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'reaction',
  'interactive',
  'button',
  'location',
  'contacts',
  'system',
  'unsupported',
  'unknown',
] as const;
/** Meta's system notices with words in `chat.system.*`; others show Meta's own text. */
export const SYSTEM_NOTICES = ['user_changed_number', 'user_changed_user_id'] as const;
/** Every key this file and the chat build at run time: a test checks each is in every language. */
export const RUNTIME_KEYS = [
  ...MESSAGE_KINDS.map((k) => `chat.kinds.${k}`),
  ...SYSTEM_NOTICES.map((k) => `chat.system.${k}`),
  ...(['in', 'out'] as const).map((d) => `chat.quote.${d}`),
  ...(['received', 'queued', 'sent', 'delivered', 'read', 'failed'] as const).map((s) => `chat.status.${s}`),
];

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const kindName = (type: string, t: Translate) => t(`chat.kinds.${(MESSAGE_KINDS as readonly string[]).includes(type) ? type : 'unknown'}`);

/** A map at the shared place (OpenStreetMap: no key, no tracking). */
export const mapUrl = (c: Content) =>
  `https://www.openstreetmap.org/?mlat=${Number(c.latitude)}&mlon=${Number(c.longitude)}#map=17/${Number(c.latitude)}/${Number(c.longitude)}`;

/** A message in one line of words: what a quote shows, and the text of the kinds that are only words. */
export function summary(type: string, c: Content, t: Translate): string {
  switch (type) {
    case 'text':
      return str(c.body);
    case 'template': {
      const values = Array.isArray(c.parameters) ? c.parameters.map(String).filter(Boolean) : [];
      return `${t('chat.template_sent', { name: str(c.name) })}${values.length ? `: ${values.join(', ')}` : ''}`;
    }
    case 'button':
      return t('chat.button_tapped', { text: str(c.text) || str(c.payload) });
    case 'interactive': {
      const reply = (c.button_reply ?? c.list_reply ?? {}) as Content;
      return t(c.type === 'list_reply' ? 'chat.list_chosen' : 'chat.button_tapped', { text: str(reply.title) });
    }
    case 'reaction':
      return str(c.emoji) ? t('chat.reacted', { emoji: str(c.emoji) }) : t('chat.reaction_removed');
    case 'location':
      return `📍 ${[str(c.name), str(c.address)].filter(Boolean).join(', ') || t('chat.kinds.location')}`;
    case 'contacts': {
      const list = Array.isArray(c.contacts) ? (c.contacts as { name?: { formatted_name?: string }; phones?: { phone?: string }[] }[]) : [];
      return `👤 ${list.map((x) => [x.name?.formatted_name, ...(x.phones ?? []).map((p) => p.phone)].filter(Boolean).join(' ')).join('; ')}`;
    }
    case 'system':
      return (SYSTEM_NOTICES as readonly string[]).includes(str(c.type))
        ? t(`chat.system.${str(c.type)}`, { number: str(c.wa_id) ? `+${str(c.wa_id)}` : '' })
        : str(c.body) || kindName(type, t);
    case 'unsupported': {
      const error = (Array.isArray(c.errors) ? c.errors[0] : undefined) as { title?: string; error_data?: { details?: string } } | undefined;
      return t('chat.unsupported', { details: error?.error_data?.details ?? error?.title ?? '' });
    }
    default: {
      const label = t('chat.media', { type: kindName(type, t) });
      return str(c.caption) ? `${label} ${str(c.caption)}` : `${label}${str(c.filename) ? ` ${str(c.filename)}` : ''}`;
    }
  }
}

interface ContentProps {
  message: Message;
  chat: ChatModel;
  t: Translate;
  onMediaLoad?: () => void;
}

/**
 * What one message shows in the chat: the quoted message of a reply, its content by kind, and the
 * customer's reaction. Given as a list of children for the chat's row to hold itself: a chat of 200
 * then builds no component and no fragment per message for them (each costs a first render).
 */
export function messageParts({ message: m, chat, t, onMediaLoad }: ContentProps) {
  const c = m.content;
  return [
    m.replyTo && (
      <blockquote class="wb-msg__quote" data-testid="message-quote">
        <strong>{t(`chat.quote.${m.replyTo.direction}`)}</strong> {summary(m.replyTo.type, m.replyTo.content, t)}
      </blockquote>
    ),
    (m.type === 'image' || m.type === 'sticker') && <MediaImage chat={chat} messageId={m.id} sticker={m.type === 'sticker'} onLoad={onMediaLoad} />,
    m.type === 'audio' && <MediaAudio chat={chat} messageId={m.id} label={t('chat.kinds.audio')} />,
    <div class={`wb-msg__body wb-msg__body--${m.type}`} data-testid="message-body" data-kind={m.type}>
      {m.type === 'location' ? (
        <>
          {summary(m.type, c, t)}{' '}
          <a href={mapUrl(c)} target="_blank" rel="noopener noreferrer" data-testid="map-link">
            {t('chat.open_map')}
          </a>
        </>
      ) : (
        summary(m.type, c, t)
      )}
    </div>,
    m.reaction && (
      <span class="wb-msg__reaction" data-testid="message-reaction" title={t('chat.reacted', { emoji: m.reaction })}>
        {m.reaction}
      </span>
    ),
  ];
}

/** A message's parts on their own (what a row holds). */
export function MessageContent(props: ContentProps) {
  return <>{messageParts(props)}</>;
}

/** A message's file as an object URL, fetched with the session (an <img> or <audio> alone cannot send it). */
function useMediaUrl(chat: ChatModel, messageId: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let made: string | null = null;
    void chat.mediaUrl(messageId).then(
      (u) => {
        made = u;
        setUrl(u);
      },
      () => setUrl(null),
    );
    return () => {
      if (made) URL.revokeObjectURL(made);
    };
  }, [chat, messageId]);
  return url;
}

/** A voice note or audio file, played in the card. */
function MediaAudio({ chat, messageId, label }: { chat: ChatModel; messageId: string; label: string }) {
  const url = useMediaUrl(chat, messageId);
  return url ? <audio class="wb-msg__audio" controls preload="metadata" src={url} aria-label={label} data-testid="message-audio" /> : null;
}

/** A photo or sticker in the chat. */
function MediaImage({ chat, messageId, sticker, onLoad }: { chat: ChatModel; messageId: string; sticker: boolean; onLoad?: () => void }) {
  const url = useMediaUrl(chat, messageId);
  // A photo that arrives after the list was scrolled makes it taller: the newest stays in view.
  return url ? <img class={sticker ? 'wb-msg__sticker' : 'wb-msg__image'} src={url} alt="" data-testid="message-image" onLoad={onLoad} /> : null;
}
