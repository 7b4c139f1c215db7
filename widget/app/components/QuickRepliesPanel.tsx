import { useEffect, useState } from 'preact/hooks';
import type { Translate } from '../i18n/translate';
import type { QuickRepliesModel } from '../models/quick-replies-model';

/** The user's quick replies and the account's: add, change, delete (the account's only by admins). */
export function QuickRepliesPanel({ model, t, isAdmin }: { model: QuickRepliesModel; t: Translate; isAdmin: boolean }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [shortcut, setShortcut] = useState('');
  const [text, setText] = useState('');
  const [scope, setScope] = useState<'personal' | 'account'>('personal');
  useEffect(() => void model.ensure(), [model]);
  const reset = () => {
    setEditing(null);
    setShortcut('');
    setText('');
    setScope('personal');
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await model.save({ shortcut, text, scope }, editing ?? undefined)) reset();
  };
  return (
    <section class="wb-quick-replies" data-testid="quick-replies">
      <ul class="wb-rows">
        {(model.items.value ?? []).map((r) => (
          <li key={r.id} data-testid="quick-reply">
            <strong>/{r.shortcut}</strong> <span class="wb-scope">{t(`quick_replies.scope.${r.scope}`)}</span> <span class="wb-muted">{r.text}</span>
            {r.editable && (
              <>
                {' '}
                <button
                  type="button"
                  class="wb-link"
                  onClick={() => {
                    setEditing(r.id);
                    setShortcut(r.shortcut);
                    setText(r.text);
                    setScope(r.scope);
                  }}
                >
                  {t('quick_replies.edit')}
                </button>{' '}
                <button type="button" class="wb-link" data-testid="quick-reply-delete" onClick={() => void model.remove(r.id)}>
                  {t('quick_replies.delete')}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      <form class="wb-form" data-testid="quick-reply-form" onSubmit={(e) => void submit(e)}>
        <label>
          {t('quick_replies.shortcut')}
          <input type="text" name="shortcut" maxLength={40} value={shortcut} onInput={(e) => setShortcut((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t('quick_replies.text')}
          <textarea name="text" rows={3} maxLength={4096} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        </label>
        <p class="wb-muted">{t('quick_replies.placeholders')}</p>
        {isAdmin && !editing && (
          <label>
            {t('quick_replies.scope_label')}
            <select name="scope" value={scope} onChange={(e) => setScope((e.target as HTMLSelectElement).value as 'personal' | 'account')}>
              <option value="personal">{t('quick_replies.scope.personal')}</option>
              <option value="account">{t('quick_replies.scope.account')}</option>
            </select>
          </label>
        )}
        {model.error.value && (
          <p class="wb-error" role="alert">
            {model.error.value}
          </p>
        )}
        <button type="submit" class="wb-button" disabled={!shortcut.trim() || !text.trim()}>
          {t('quick_replies.save')}
        </button>
        {editing && (
          <button type="button" class="wb-link" onClick={reset}>
            {t('chat.cancel')}
          </button>
        )}
      </form>
    </section>
  );
}
