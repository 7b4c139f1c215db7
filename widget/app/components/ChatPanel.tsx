import { Component } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { z } from 'zod/mini';
import type { MessageView, TemplateList } from '../../../contract/whatsapp';
import type { HostContext } from '../../../contract/host-messages';
import type { Translate } from '../i18n/translate';
import { formatBytes, formatMessageTime } from '../i18n/format';
import type { ChatModel } from '../models/chat-model';
import { pickerEntries, pickerQuery, type PickerEntry } from '../models/quick-replies-model';
import { messageParts } from './MessageContent';
import { lazyScreen } from './lazy';
import { QuickReplyPicker } from './QuickReplies';

// Managing quick replies is a screen of its own: the card does not carry it until it is opened.
const QuickRepliesPanel = lazyScreen(() => import(/* webpackChunkName: "quick-replies" */ './QuickRepliesPanel').then((m) => m.QuickRepliesPanel));

type Template = z.infer<typeof TemplateList>['templates'][number];
type Message = z.infer<typeof MessageView>;

const TICKS: Record<string, string> = { queued: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '⚠' };

/** The WhatsApp chat with the card's contacts: history, ticks, the window, and the composer. */
export function ChatPanel({
  chat,
  contacts,
  leadId = null,
  t,
  language,
  isAdmin,
}: {
  chat: ChatModel;
  contacts: HostContext['contacts'];
  leadId?: number | null;
  t: Translate;
  language: string;
  isAdmin: boolean;
}) {
  useEffect(() => {
    void chat.open(contacts);
    return chat.live();
  }, [chat, contacts]);
  if (chat.numbers.value === null) return null;
  if (!contacts.length) return <p class="wb-muted">{t('app.card.no_contacts')}</p>;
  if (chat.numbers.value.length === 0) {
    return (
      <>
        <ul class="wb-contacts" data-testid="wabridge-contacts">
          {contacts.map((c) => (
            <li key={c.id}>
              <strong>{c.name}</strong> {c.phones.length ? c.phones.join(', ') : <span class="wb-muted">{t('app.card.no_phone')}</span>}
            </li>
          ))}
        </ul>
        <p class="wb-muted" data-testid="no-number">
          {t(isAdmin ? 'chat.no_number_admin' : 'chat.no_number')}
        </p>
      </>
    );
  }
  const active = chat.active.value;
  const current = chat.conversations.value.find((c) => c.conversation.id === chat.activeId.value);
  const left = chat.windowLeft.value;
  const [managing, setManaging] = useState(false);
  return (
    <section class="wb-chat" data-testid="chat">
      {chat.conversations.value.length > 1 && (
        <select aria-label={t('chat.phone')} value={chat.activeId.value ?? ''} onChange={(e) => void chat.select((e.target as HTMLSelectElement).value)}>
          {chat.conversations.value.map((c) => (
            <option key={c.conversation.id} value={c.conversation.id}>
              {c.name} · {c.phone}
            </option>
          ))}
        </select>
      )}
      {current && (
        <p data-testid="chat-with">
          <strong>{current.name}</strong> · {current.phone}
        </p>
      )}
      {active?.optedOut && (
        <p class="wb-warning" data-testid="opted-out">
          {t('chat.opted_out')}{' '}
          <button type="button" class="wb-link" onClick={() => void chat.optIn()}>
            {t('chat.opt_in_again')}
          </button>
        </p>
      )}
      {chat.olderCursor.value && (
        <button type="button" class="wb-link" data-testid="older" onClick={() => void chat.loadOlder()}>
          {t('chat.older')}
        </button>
      )}
      <MessageList chat={chat} t={t} language={language} />
      <p class="wb-muted" data-testid="window">
        {left > 0 ? t('chat.window_open', { hours: Math.floor(left / 3600_000), minutes: Math.floor((left % 3600_000) / 60_000) }) : t('chat.window_closed')}
      </p>
      {chat.error.value && (
        <p class="wb-error" role="alert" data-testid="chat-error">
          {chat.error.value}
        </p>
      )}
      {left > 0 ? (
        <TextComposer chat={chat} t={t} language={language} card={{ contactId: current?.contactId ?? null, leadId }} />
      ) : (
        <TemplateComposer chat={chat} t={t} />
      )}
      <button type="button" class="wb-link" data-testid="manage-quick-replies" aria-expanded={managing} onClick={() => setManaging(!managing)}>
        {t('quick_replies.manage')}
      </button>
      {managing && <QuickRepliesPanel model={chat.quickReplies} t={t} isAdmin={isAdmin} />}
    </section>
  );
}

/** Within this many pixels of the bottom, the agent is reading the newest messages. */
const BOTTOM_SLACK = 24;

/** Whether a scrolled list shows its end. */
export function atBottom(el: { scrollTop: number; scrollHeight: number; clientHeight: number }): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK;
}

/** The messages, oldest first, kept scrolled to the newest unless the agent scrolled up to read. */
function MessageList({ chat, t, language }: { chat: ChatModel; t: Translate; language: string }) {
  const list = useRef<HTMLOListElement>(null);
  const messages = chat.messages.value;
  const follow = chat.follow.value;
  // One function for the list's lifetime: the rows' props stay equal, so a row is drawn again only
  // when its message changes (not for each send, tick or page of older messages).
  const toBottom = useCallback(() => {
    if (list.current && chat.follow.value) list.current.scrollTop = list.current.scrollHeight;
  }, [chat]);
  useLayoutEffect(toBottom, [messages, follow]);
  // Rows out of view are not laid out (`content-visibility: auto`, app.css): a row takes its real
  // height once it scrolls into view, a photo once it loads. Whenever a row's height settles while
  // the view follows the newest, it goes to the bottom again.
  const resized = useRef<ResizeObserver | null>(null);
  useLayoutEffect(() => {
    if (typeof ResizeObserver === 'undefined' || !list.current) return;
    resized.current ??= new ResizeObserver(toBottom);
    for (const row of Array.from(list.current.children)) resized.current.observe(row);
  }, [messages, toBottom]);
  useEffect(() => () => resized.current?.disconnect(), []);
  return (
    <div class="wb-messages-box">
      <ol class="wb-messages" data-testid="messages" ref={list} onScroll={(e) => chat.scrolled(atBottom(e.currentTarget))}>
        {messages.map((m) => (
          <MessageRow key={m.id} message={m} chat={chat} t={t} language={language} onMediaLoad={toBottom} />
        ))}
      </ol>
      {chat.unseen.value && (
        <button type="button" class="wb-button wb-new-messages" data-testid="new-messages" onClick={() => chat.showNewest()}>
          {t('chat.new_messages')}
        </button>
      )}
    </div>
  );
}

interface RowProps {
  message: Message;
  chat: ChatModel;
  t: Translate;
  language: string;
  onMediaLoad: () => void;
}

/** One message of the list, its time, and for the agent's own its sender and tick; drawn again only when one of them changes. */
class MessageRow extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps) {
    const p = this.props;
    return next.message !== p.message || next.t !== p.t || next.language !== p.language || next.chat !== p.chat || next.onMediaLoad !== p.onMediaLoad;
  }

  override render({ message: m, chat, t, language, onMediaLoad }: RowProps) {
    // One list of the row's children, the message's parts among them (not a list inside the list:
    // Preact would draw that as a fragment of its own).
    return (
      <li class={`wb-msg wb-msg--${m.direction}`} data-testid="message" data-direction={m.direction} data-status={m.status}>
        {[
          ...messageParts({ message: m, chat, t, onMediaLoad }),
          <div class="wb-msg__meta">
            <time dateTime={m.createdAt}>{formatMessageTime(m.createdAt, language)}</time>
            {m.direction === 'out' && m.sentByName && <span data-testid="sent-by"> · {m.sentByName}</span>}
            {m.direction === 'out' && (
              <span class={`wb-tick wb-tick--${m.status}`} title={t(`chat.status.${m.status}`)} data-testid="tick">
                {' '}
                {TICKS[m.status]} {t(`chat.status.${m.status}`)}
              </span>
            )}
          </div>,
          m.error && (
            <div class="wb-error" data-testid="message-error">
              {t('chat.failed', { title: m.error.title, code: m.error.code })}
            </div>
          ),
        ]}
      </li>
    );
  }
}

function TextComposer({
  chat,
  t,
  language,
  card,
}: {
  chat: ChatModel;
  t: Translate;
  language: string;
  card: { contactId: number | null; leadId: number | null };
}) {
  const [value, setValue] = useState('');
  // "/" and a word search quick replies and templates; a picked template opens the template form.
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [template, setTemplate] = useState<Template | null>(null);
  const [highlight, setHighlight] = useState(0);
  const [missing, setMissing] = useState<string[]>([]);
  const numberId = chat.active.value?.numberId;
  const query = pickerQuery(value);
  const searching = query !== null;
  // Each time the picker opens, the number's templates as they are now (a sync may have added some).
  useEffect(() => {
    if (!searching) return;
    void chat.quickReplies.ensure();
    if (numberId) void chat.templates(numberId).then(setTemplates);
  }, [searching, chat, numberId]);
  const entries = query === null ? [] : pickerEntries(query, chat.quickReplies.items.value ?? [], templates ?? []);
  const pickEntry = async (entry: PickerEntry) => {
    setHighlight(0);
    if (entry.kind === 'template') {
      setValue('');
      setTemplate(entry.template);
      return;
    }
    const filled = await chat.quickReplies.fill(entry.reply.id, card);
    if (!filled) return;
    leading.current = null;
    setValue(filled.text);
    setMissing(filled.missing);
  };
  // The newest message the agent had seen when they started typing this text.
  const [seenUpTo, setSeenUpTo] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  // A picked file waits for Send or Cancel, with a preview of what goes.
  const [picked, setPicked] = useState<File | null>(null);
  // The box as the agent last left it: a send's answer comes after they may have typed on.
  const typed = useRef(value);
  typed.current = value;
  // The text on its way while it still leads the box untouched; null once the agent edited it away.
  const leading = useRef<string | null>(null);
  /** The sent text leaves the box; what the agent typed after it (or instead of it) while it went stays, as the next message. */
  const afterSent = (sent: string) => {
    const now = typed.current;
    const untouched = leading.current === sent;
    leading.current = null;
    // The sent text itself is never left for a second send, however the agent came back to it.
    const left = now.trim() === sent.trim() ? '' : untouched && now.startsWith(sent) ? now.slice(sent.length).trimStart() : now;
    setValue(left);
    // The quick reply's unfilled values were the sent text's; "seen up to" stays while a text the agent started before goes on.
    if (left !== now || !left) setMissing([]);
    if (!left) setSeenUpTo(undefined);
  };
  const submit = async (e: Event | null, confirmed = false) => {
    e?.preventDefault();
    // One send at a time: Enter while a file uploads must not send it twice.
    if (chat.sending.value) return;
    const sent = value;
    leading.current = sent;
    if (picked) {
      const file = picked;
      // The text typed so far goes along as the caption.
      if (await chat.sendFile(file, sent.trim() || undefined)) {
        afterSent(sent);
        // A file picked while this one went stays for its own Send.
        setPicked((now) => (now === file ? null : now));
      }
      return;
    }
    if (!sent.trim()) return;
    const outcome = await chat.send({ type: 'text', text: sent, ...(seenUpTo ? { seenUpTo } : {}), ...(confirmed ? { confirmed: true } : {}) });
    setConfirming(outcome === 'confirm');
    if (outcome === 'sent') afterSent(sent);
  };
  if (template) return <TemplateComposer chat={chat} t={t} initial={template} onCancel={() => setTemplate(null)} />;
  const pick = (e: Event) => {
    const input = e.target as HTMLInputElement;
    setPicked(input.files?.[0] ?? null);
    input.value = '';
  };
  const voice = chat.voice;
  const sendVoice = async () => {
    const note = await voice.finish();
    if (note) await chat.sendFile(note);
  };
  if (voice.state.value !== 'idle') {
    const s = voice.elapsed.value;
    return (
      <div class="wb-composer wb-recording" data-testid="voice-recording" role="group" aria-label={t('chat.voice.recording')}>
        <span class="wb-recording__dot" aria-hidden="true" />
        <span data-testid="voice-timer" aria-live="off">
          {Math.floor(s / 60)}:{String(s % 60).padStart(2, '0')}
        </span>
        <button type="button" class="wb-button" data-testid="voice-cancel" disabled={voice.state.value !== 'recording'} onClick={() => voice.cancel()}>
          {t('chat.cancel')}
        </button>
        <button
          type="button"
          class="wb-button wb-button--primary"
          data-testid="voice-send"
          disabled={voice.state.value !== 'recording' || chat.sending.value}
          onClick={() => void sendVoice()}
        >
          {t('chat.voice.send')}
        </button>
      </div>
    );
  }
  return (
    <form class="wb-composer" data-testid="composer" onSubmit={(e) => void submit(e)}>
      {picked && <FilePreview file={picked} t={t} language={language} onCancel={() => setPicked(null)} />}
      {query !== null && (
        <QuickReplyPicker entries={entries} highlight={Math.min(highlight, Math.max(0, entries.length - 1))} t={t} onPick={(e) => void pickEntry(e)} />
      )}
      {voice.problem.value && (
        <p class="wb-error" role="alert" data-testid="voice-problem">
          {t(`chat.voice.${voice.problem.value}`)}
        </p>
      )}
      {missing.length > 0 && (
        <p class="wb-warning" data-testid="quick-reply-missing">
          {t('quick_replies.missing', { fields: missing.join(', ') })}
        </p>
      )}
      <div class="wb-composer__row">
        <label class="wb-attach" title={t('chat.attach')}>
          <PaperclipIcon />
          <input type="file" aria-label={t('chat.attach')} data-testid="attach" onChange={pick} hidden />
        </label>
        {voice.available && (
          <button
            type="button"
            class="wb-attach"
            title={t('chat.voice.record')}
            aria-label={t('chat.voice.record')}
            data-testid="voice-record"
            disabled={chat.sending.value}
            onClick={() => void voice.start()}
          >
            <MicIcon />
          </button>
        )}
        <textarea
          class="wb-input"
          aria-label={t('chat.message')}
          rows={2}
          maxLength={4096}
          value={value}
          onInput={(e) => {
            const text = (e.target as HTMLTextAreaElement).value;
            if (!value) setSeenUpTo(chat.newestId());
            if (leading.current !== null && !text.startsWith(leading.current)) leading.current = null;
            setValue(text);
            setHighlight(0);
          }}
          onKeyDown={(e) => {
            if (query !== null && entries.length) {
              const move = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
              if (move) {
                e.preventDefault();
                setHighlight((highlight + move + entries.length) % entries.length);
                return;
              }
              if (e.key === 'Enter' && !e.isComposing) {
                e.preventDefault();
                void pickEntry(entries[Math.min(highlight, entries.length - 1)]!);
                return;
              }
            }
            // Enter sends, Shift+Enter starts a new line (and an IME's Enter only ends its composition).
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) void submit(e);
          }}
        />
        {confirming && (
          <button type="button" class="wb-button" data-testid="send-anyway" onClick={() => void submit(null, true)}>
            {t('chat.send_anyway')}
          </button>
        )}
        <button type="submit" class="wb-button wb-button--primary" disabled={chat.sending.value || (!picked && !value.trim())}>
          {t('chat.send')}
        </button>
      </div>
    </form>
  );
}

/** The file the agent picked, before it goes: a thumbnail of a photo, or the file's name and size. */
function FilePreview({ file, t, language, onCancel }: { file: File; t: Translate; language: string; onCancel: () => void }) {
  const [thumb, setThumb] = useState<string | null>(null);
  useEffect(() => {
    if (!file.type.startsWith('image/') || typeof URL.createObjectURL !== 'function') return;
    const url = URL.createObjectURL(file);
    setThumb(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);
  return (
    <div class="wb-file-preview" data-testid="file-preview" role="group" aria-label={t('chat.attachment')}>
      {thumb && <img class="wb-file-preview__thumb" src={thumb} alt="" data-testid="file-thumb" />}
      <span class="wb-file-preview__name" data-testid="file-name">
        {file.name} · {formatBytes(file.size, language)}
      </span>
      <button type="button" class="wb-button" data-testid="file-cancel" onClick={onCancel}>
        {t('chat.cancel')}
      </button>
    </div>
  );
}

function PaperclipIcon() {
  return (
    <svg
      class="wb-icon"
      width="18"
      height="18"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48" />
    </svg>
  );
}

function MicIcon() {
  return (
    <svg
      class="wb-icon"
      width="18"
      height="18"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <rect x="9" y="2" width="6" height="12" rx="3" />
      <path d="M5 10a7 7 0 0 0 14 0M12 17v4M8 21h8" />
    </svg>
  );
}

function TemplateComposer({ chat, t, initial, onCancel }: { chat: ChatModel; t: Translate; initial?: Template; onCancel?: () => void }) {
  const numberId = chat.active.value?.numberId;
  const [templates, setTemplates] = useState<Template[]>([]);
  const [chosen, setChosen] = useState(0);
  const [params, setParams] = useState<string[]>([]);
  useEffect(() => {
    if (numberId)
      void chat.templates(numberId).then((list) => {
        setTemplates(list);
        // Picked in the "/" picker: that template is the one the form starts with.
        if (initial)
          setChosen(
            Math.max(
              0,
              list.findIndex((x) => x.name === initial.name && x.language === initial.language),
            ),
          );
      });
  }, [chat, numberId, initial]);
  const template = templates[chosen];
  const preview = template ? template.body.replace(/\{\{\s*(\d+)\s*\}\}/g, (whole, n: string) => params[Number(n) - 1] || whole) : '';
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!template) return;
    if (
      (await chat.send({ type: 'template', name: template.name, language: template.language, bodyParameters: params.slice(0, template.paramCount) })) === 'sent'
    ) {
      setParams([]);
      onCancel?.();
    }
  };
  return (
    <form class="wb-composer wb-form" data-testid="template-composer" onSubmit={(e) => void submit(e)}>
      <label>
        {t('chat.template_name')}
        <select
          name="template"
          value={String(chosen)}
          onChange={(e) => {
            setChosen(Number((e.target as HTMLSelectElement).value));
            setParams([]);
          }}
        >
          {templates.map((x, i) => (
            <option key={`${x.name}-${x.language}`} value={String(i)}>
              {x.name} ({x.language})
            </option>
          ))}
        </select>
      </label>
      {template &&
        Array.from({ length: template.paramCount }, (_, i) => (
          <label key={i}>
            {t('chat.template_param', { n: i + 1 })}
            <input
              type="text"
              name={`param${i + 1}`}
              value={params[i] ?? ''}
              onInput={(e) => setParams(Object.assign([...params], { [i]: (e.target as HTMLInputElement).value }))}
            />
          </label>
        ))}
      {template && (
        <p class="wb-preview" data-testid="template-preview">
          {preview}
        </p>
      )}
      {!templates.length && <p class="wb-muted">{t('chat.no_templates')}</p>}
      <button type="submit" disabled={chat.sending.value || !template || params.slice(0, template.paramCount).filter(Boolean).length < template.paramCount}>
        {t('chat.send_template')}
      </button>
      {numberId && (
        <button type="button" class="wb-link" onClick={() => void chat.refreshTemplates(numberId).then(setTemplates)}>
          {t('chat.refresh_templates')}
        </button>
      )}
      {onCancel && (
        <button type="button" class="wb-link" data-testid="template-cancel" onClick={onCancel}>
          {t('chat.cancel')}
        </button>
      )}
    </form>
  );
}
