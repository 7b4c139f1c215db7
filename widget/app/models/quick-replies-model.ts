import { signal } from '@preact/signals';
import type { z } from 'zod/mini';
import type { QuickReplyInput, QuickReplyView } from '../../../contract/quick-replies';
import type { TemplateList } from '../../../contract/whatsapp';
import type { ApiClient } from '../api/api-client';
import type { Describe, FieldLabels } from '../i18n/error-sentence';

type QuickReply = z.infer<typeof QuickReplyView>;
type Template = z.infer<typeof TemplateList>['templates'][number];

/** One line of the composer's "/" picker: a quick reply or an approved template. */
export type PickerEntry = { kind: 'reply'; reply: QuickReply } | { kind: 'template'; template: Template };

const LABELS: FieldLabels = { shortcut: 'quick_replies.shortcut', text: 'quick_replies.text' };
/** The picker shows this many lines at most; typing more narrows it. */
const PICKER_LINES = 8;

/** What the agent is searching for when the composer holds "/" and one word, or null when it is not a search. */
export function pickerQuery(value: string): string | null {
  return /^\/(\S*)$/.exec(value)?.[1]?.toLowerCase() ?? null;
}

/**
 * The "/" picker's lines for what the agent typed: quick replies whose shortcut starts with it or
 * whose text holds it (the user's own first, as the backend orders them), then templates whose name
 * does. Templates and quick replies are one list, so an agent finds an answer wherever it is kept.
 */
export function pickerEntries(query: string, replies: readonly QuickReply[], templates: readonly Template[]): PickerEntry[] {
  const q = query.toLowerCase();
  const byShortcut = replies.filter((r) => r.shortcut.startsWith(q));
  const byText = replies.filter((r) => !r.shortcut.startsWith(q) && r.text.toLowerCase().includes(q));
  const matchingTemplates = templates.filter((x) => x.name.toLowerCase().includes(q));
  return [
    ...[...byShortcut, ...byText].map((reply) => ({ kind: 'reply' as const, reply })),
    ...matchingTemplates.map((template) => ({ kind: 'template' as const, template })),
  ].slice(0, PICKER_LINES);
}

/** The quick replies a user sees (the account's and their own): listed once per card, filled for the card on pick. */
export function createQuickRepliesModel(deps: { api: ApiClient; describe: Describe }) {
  const items = signal<QuickReply[] | null>(null);
  const error = signal<string | null>(null);
  let loading: Promise<void> | undefined;

  const load = () => {
    loading = deps.api
      .quickReplies()
      .then((list) => {
        items.value = list.quickReplies;
        error.value = null;
      })
      .catch((err: unknown) => {
        loading = undefined;
        error.value = deps.describe(err, LABELS);
      });
    return loading;
  };

  return {
    items,
    error,
    /** Lists them the first time they are needed. */
    ensure: () => loading ?? load(),
    async save(input: QuickReplyInput, id?: string): Promise<boolean> {
      try {
        if (id) await deps.api.updateQuickReply(id, input);
        else await deps.api.createQuickReply(input);
        await load();
        return true;
      } catch (err) {
        error.value = deps.describe(err, LABELS);
        return false;
      }
    },
    async remove(id: string) {
      try {
        await deps.api.deleteQuickReply(id);
        await load();
      } catch (err) {
        error.value = deps.describe(err, LABELS);
      }
    },
    /** The reply's text with the card's CRM values in it, and the placeholders the CRM had no value for. */
    async fill(id: string, card: { contactId: number | null; leadId: number | null }) {
      try {
        const filled = await deps.api.fillQuickReply(id, card);
        error.value = null;
        return filled;
      } catch (err) {
        error.value = deps.describe(err, LABELS);
        return null;
      }
    },
  };
}
export type QuickRepliesModel = ReturnType<typeof createQuickRepliesModel>;
