import type { Translate } from '../i18n/translate';
import type { PickerEntry } from '../models/quick-replies-model';

/** The "/" picker over the composer: quick replies and templates in one list; the highlighted line goes on Enter. */
export function QuickReplyPicker({
  entries,
  highlight,
  t,
  onPick,
}: {
  entries: PickerEntry[];
  highlight: number;
  t: Translate;
  onPick: (entry: PickerEntry) => void;
}) {
  return (
    <ul class="wb-picker" role="listbox" aria-label={t('quick_replies.picker')} data-testid="quick-picker">
      {entries.map((e, i) => (
        <li
          key={e.kind === 'reply' ? e.reply.id : `${e.template.name}-${e.template.language}`}
          role="option"
          aria-selected={i === highlight}
          class={`wb-picker__item${i === highlight ? ' wb-picker__item--on' : ''}`}
          data-testid="quick-picker-item"
          data-kind={e.kind}
          // mousedown, not click: the textarea keeps its focus.
          onMouseDown={(ev) => {
            ev.preventDefault();
            onPick(e);
          }}
        >
          {e.kind === 'reply' ? (
            <>
              <strong>/{e.reply.shortcut}</strong> <span class="wb-muted">{e.reply.text}</span>
            </>
          ) : (
            <>
              <strong>{e.template.name}</strong> <span class="wb-muted">{t('quick_replies.template', { language: e.template.language })}</span>
            </>
          )}
        </li>
      ))}
      {!entries.length && <li class="wb-muted">{t('quick_replies.none')}</li>}
    </ul>
  );
}
