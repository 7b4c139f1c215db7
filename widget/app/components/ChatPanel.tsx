import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod/mini';
import type { TemplateList } from '../../../contract/whatsapp';
import type { HostContext } from '../../../contract/host-messages';
import type { Translate } from '../i18n/translate';
import { formatDate } from '../i18n/format';
import type { ChatModel } from '../models/chat-model';
import { MessageContent } from './MessageContent';

const TICKS: Record<string, string> = { queued: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '⚠' };

/** The WhatsApp chat with the card's contacts: history, ticks, the window, and the composer. */
export function ChatPanel({ chat, contacts, t, language, isAdmin }: { chat: ChatModel; contacts: HostContext['contacts']; t: Translate; language: string; isAdmin: boolean }) {
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
      <ol class="wb-messages" data-testid="messages">
        {chat.messages.value.map((m) => (
          <li key={m.id} class={`wb-msg wb-msg--${m.direction}`} data-testid="message" data-direction={m.direction} data-status={m.status}>
            <MessageContent message={m} chat={chat} t={t} />
            <div class="wb-msg__meta">
              {formatDate(m.createdAt, language, undefined, true)}
              {m.direction === 'out' && m.sentByName && <span data-testid="sent-by"> · {m.sentByName}</span>}
              {m.direction === 'out' && (
                <span class={`wb-tick wb-tick--${m.status}`} title={t(`chat.status.${m.status}`)} data-testid="tick">
                  {' '}
                  {TICKS[m.status]} {t(`chat.status.${m.status}`)}
                </span>
              )}
            </div>
            {m.error && <div class="wb-error" data-testid="message-error">{t('chat.failed', { title: m.error.title, code: m.error.code })}</div>}
          </li>
        ))}
      </ol>
      <p class="wb-muted" data-testid="window">
        {left > 0 ? t('chat.window_open', { hours: Math.floor(left / 3600_000), minutes: Math.floor((left % 3600_000) / 60_000) }) : t('chat.window_closed')}
      </p>
      {chat.error.value && <p class="wb-error" role="alert" data-testid="chat-error">{chat.error.value}</p>}
      {left > 0 ? <TextComposer chat={chat} t={t} /> : <TemplateComposer chat={chat} t={t} />}
    </section>
  );
}

function TextComposer({ chat, t }: { chat: ChatModel; t: Translate }) {
  const [value, setValue] = useState('');
  // The newest message the agent had seen when they started typing this text.
  const [seenUpTo, setSeenUpTo] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const submit = async (e: Event | null, confirmed = false) => {
    e?.preventDefault();
    if (!value.trim()) return;
    const outcome = await chat.send({ type: 'text', text: value, ...(seenUpTo ? { seenUpTo } : {}), ...(confirmed ? { confirmed: true } : {}) });
    setConfirming(outcome === 'confirm');
    if (outcome === 'sent') {
      setValue('');
      setSeenUpTo(undefined);
    }
  };
  const attach = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    // The text typed so far goes along as the caption.
    if (file && (await chat.sendFile(file, value.trim() || undefined))) setValue('');
    input.value = '';
  };
  return (
    <form class="wb-composer" data-testid="composer" onSubmit={(e) => void submit(e)}>
      <textarea
        aria-label={t('chat.message')}
        rows={2}
        maxLength={4096}
        value={value}
        onInput={(e) => {
          if (!value) setSeenUpTo(chat.newestId());
          setValue((e.target as HTMLTextAreaElement).value);
        }}
      />
      {confirming && (
        <button type="button" data-testid="send-anyway" onClick={() => void submit(null, true)}>
          {t('chat.send_anyway')}
        </button>
      )}
      <label class="wb-attach" title={t('chat.attach')}>
        📎
        <input type="file" aria-label={t('chat.attach')} data-testid="attach" onChange={(e) => void attach(e)} hidden />
      </label>
      <button type="submit" disabled={chat.sending.value || !value.trim()}>
        {t('chat.send')}
      </button>
    </form>
  );
}

function TemplateComposer({ chat, t }: { chat: ChatModel; t: Translate }) {
  const numberId = chat.active.value?.numberId;
  const [templates, setTemplates] = useState<z.infer<typeof TemplateList>['templates']>([]);
  const [chosen, setChosen] = useState(0);
  const [params, setParams] = useState<string[]>([]);
  useEffect(() => {
    if (numberId) void chat.templates(numberId).then(setTemplates);
  }, [chat, numberId]);
  const template = templates[chosen];
  const preview = template ? template.body.replace(/\{\{\s*(\d+)\s*\}\}/g, (whole, n: string) => params[Number(n) - 1] || whole) : '';
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!template) return;
    if ((await chat.send({ type: 'template', name: template.name, language: template.language, bodyParameters: params.slice(0, template.paramCount) })) === 'sent') setParams([]);
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
            <input type="text" name={`param${i + 1}`} value={params[i] ?? ''} onInput={(e) => setParams(Object.assign([...params], { [i]: (e.target as HTMLInputElement).value }))} />
          </label>
        ))}
      {template && <p class="wb-preview" data-testid="template-preview">{preview}</p>}
      {!templates.length && <p class="wb-muted">{t('chat.no_templates')}</p>}
      <button type="submit" disabled={chat.sending.value || !template || params.slice(0, template.paramCount).filter(Boolean).length < template.paramCount}>
        {t('chat.send_template')}
      </button>
      {numberId && (
        <button type="button" class="wb-link" onClick={() => void chat.refreshTemplates(numberId).then(setTemplates)}>
          {t('chat.refresh_templates')}
        </button>
      )}
    </form>
  );
}
