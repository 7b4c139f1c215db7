import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export interface Section {
  id: string;
  title: string;
  content: ComponentChildren;
}

/**
 * The admin screens as tabs (SPEC §2: sections an admin can find, not one long page). Every
 * section stays mounted and only the chosen one is shown: a half-typed form survives a look at
 * another tab, and a payment noticed while the admin is elsewhere still updates every section.
 */
export function SettingsSections({ sections, label }: { sections: Section[]; label: string }) {
  const [chosen, setChosen] = useState(sections[0]!.id);
  const choose = (id: string, focus = false) => {
    setChosen(id);
    if (focus) document.getElementById(`wb-tab-${id}`)?.focus();
  };
  // Arrow keys move between tabs, as in every tab list (WAI-ARIA).
  const onKeyDown = (e: KeyboardEvent) => {
    const at = sections.findIndex((s) => s.id === chosen);
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    choose(sections[(at + step + sections.length) % sections.length]!.id, true);
  };
  return (
    <div class="wb-sections" data-testid="settings-sections" data-section={chosen}>
      <div class="wb-tabs" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
        {sections.map((s) => (
          <button
            key={s.id}
            type="button"
            role="tab"
            id={`wb-tab-${s.id}`}
            aria-selected={s.id === chosen}
            aria-controls={`wb-section-${s.id}`}
            tabIndex={s.id === chosen ? 0 : -1}
            data-section={s.id}
            onClick={() => choose(s.id)}
          >
            {s.title}
          </button>
        ))}
      </div>
      {sections.map((s) => (
        <div key={s.id} role="tabpanel" id={`wb-section-${s.id}`} aria-labelledby={`wb-tab-${s.id}`} data-testid={`section-${s.id}`} hidden={s.id !== chosen}>
          {s.content}
        </div>
      ))}
    </div>
  );
}
