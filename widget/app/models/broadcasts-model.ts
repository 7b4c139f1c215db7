import { signal } from '@preact/signals';
import type { z } from 'zod/mini';
import {
  FORBIDDEN_CONSENT,
  type BroadcastList,
  type BroadcastTemplate,
  type BroadcastView,
  type CreateBroadcastInput,
  type ParameterSource,
  type SavedAudienceList,
} from '../../../contract/broadcasts';
import type { NumberView } from '../../../contract/whatsapp';
import type { ApiClient } from '../api/api-client';
import { isApiError } from '../api/api-error';
import type { Describe, FieldLabels } from '../i18n/error-sentence';
import type { LiveModel } from './live-model';

type Summary = z.infer<typeof BroadcastList>['broadcasts'][number];
type WhatsAppNumber = z.infer<typeof NumberView>;

/** What the composer edits; the backend checks it all again. */
export interface Draft {
  name: string;
  numberIds: string[];
  templateKey: string;
  parameters: ParameterSource[];
  consentSource: CreateBroadcastInput['consentSource'] | '';
  headerMediaUrl: string;
  scheduledAt: string;
  quietFrom: string;
  quietTo: string;
  saveAudienceAs: string;
}

/** The composer's fields, by their labels. */
const COMPOSER_LABELS: FieldLabels = {
  name: 'broadcasts.name',
  numberIds: 'broadcasts.numbers',
  'numberIds.*': 'broadcasts.numbers',
  template: 'broadcasts.template',
  'template.name': 'broadcasts.template',
  'parameters.*': 'broadcasts.parameter',
  'parameters.*.value': 'broadcasts.fixed_value',
  'parameters.*.field': 'broadcasts.custom_field_id',
  headerMediaUrl: 'broadcasts.header_link',
  consentSource: 'broadcasts.consent',
  scheduledAt: 'broadcasts.schedule',
  quietHours: 'broadcasts.when',
  'quietHours.from': 'broadcasts.quiet_from',
  'quietHours.to': 'broadcasts.quiet_to',
  saveAudienceAs: 'broadcasts.save_audience',
};

/** What the dry run still needs, in the order the form asks for it (an empty list: it can run). */
export type Missing = 'name' | 'numbers' | 'template' | 'parameters' | 'header_media' | 'consent' | 'consent_refused';

export function missingForDryRun(d: Draft, template: BroadcastTemplate | null): Missing[] {
  const missing: Missing[] = [];
  if (!d.name.trim()) missing.push('name');
  if (!d.numberIds.length) missing.push('numbers');
  if (!template) missing.push('template');
  if (!d.parameters.every((p) => ('value' in p ? p.value.trim() : /^cf:\d+$|^[a-z_]+$/.test(p.field)))) missing.push('parameters');
  if (template?.headerFormat && template.headerFormat !== 'TEXT' && !d.headerMediaUrl.trim()) missing.push('header_media');
  if (!d.consentSource) missing.push('consent');
  else if (FORBIDDEN_CONSENT.has(d.consentSource)) missing.push('consent_refused');
  return missing;
}

export const templateKey = (t: { name: string; language: string }) => `${t.name}|${t.language}`;

/**
 * The broadcasts worth listing: those that were launched. Every dry run makes a draft on the backend;
 * one the user never launched (left as it was, or discarded) is not a broadcast anybody follows, so
 * trying the dry run five times does not leave five entries (docs/decisions: drafts are not listed).
 */
export function listed<B extends { status: string; launchedAt: string | null }>(broadcasts: B[]): B[] {
  return broadcasts.filter((b) => b.status !== 'draft' && !(b.status === 'cancelled' && b.launchedAt === null));
}

/**
 * Broadcasts as the widget shows them: the composer for a selection from a Kommo list, the dry run,
 * the list, and one broadcast's live progress (refetched when the live stream says it changed).
 */
export function createBroadcastsModel(deps: { api: ApiClient; live: LiveModel; describe: Describe; onLaunched?: () => void }) {
  const list = signal<Summary[] | null>(null);
  const audiences = signal<z.infer<typeof SavedAudienceList>['audiences']>([]);
  const current = signal<BroadcastView | null>(null);
  const numbers = signal<WhatsAppNumber[]>([]);
  const templates = signal<BroadcastTemplate[]>([]);
  /** What went wrong, said in the user's language; `code` is the backend's (the launch looks for dry_run_changed). */
  const error = signal<{ code: string; message: string } | null>(null);
  const busy = signal(false);
  const draft = signal<Draft>({
    name: '',
    numberIds: [],
    templateKey: '',
    parameters: [],
    consentSource: '',
    headerMediaUrl: '',
    scheduledAt: '',
    quietFrom: '',
    quietTo: '',
    saveAudienceAs: '',
  });

  async function attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    error.value = null;
    try {
      return await work();
    } catch (err) {
      error.value = { code: isApiError(err) ? err.code : 'unknown', message: deps.describe(err, COMPOSER_LABELS) };
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  /** Only a template that can carry a broadcast can be chosen; the others are listed with their reason. */
  const selectedTemplate = () => templates.value.find((t) => t.qualifies && templateKey(t) === draft.value.templateKey) ?? null;

  let refetch: ReturnType<typeof setTimeout> | undefined;
  const changed = new Set<string>();
  /** The list's first read, once asked for: a refresh waits for it (the stream may open while it is on its way). */
  let listing: Promise<unknown> | undefined;
  // Live refreshes answer in any order, and the user may put something else on screen meanwhile: a
  // refresh's answer shows only if it is the latest refresh asked and the screen is still the one it
  // was asked for (`screen` and `listScreen` count what the user put there).
  let screen = 0;
  let listScreen = 0;
  let refreshes = 0;
  let listRefreshes = 0;
  const put = (b: BroadcastView | null) => {
    screen++;
    current.value = b;
  };

  return {
    list,
    audiences,
    current,
    numbers,
    templates,
    error,
    busy,
    draft,
    selectedTemplate,

    async loadList() {
      listing = attempt(async () => {
        const [l, a] = await Promise.all([deps.api.broadcasts(), deps.api.audiences()]);
        listScreen++;
        list.value = l.broadcasts;
        audiences.value = a.audiences;
      });
      await listing;
    },

    async open(id: string) {
      await attempt(async () => {
        put(await deps.api.broadcast(id));
      });
    },

    close() {
      put(null);
    },

    /** Numbers and their templates (those that can carry a broadcast first), for the composer. */
    async prepare(defaultName: string) {
      await attempt(async () => {
        const connected = (await deps.api.numbers()).numbers;
        numbers.value = connected;
        templates.value = connected[0] ? (await deps.api.broadcastTemplates(connected[0].id)).templates : [];
        draft.value = {
          ...draft.value,
          name: draft.value.name || defaultName,
          numberIds: draft.value.numberIds.length ? draft.value.numberIds : connected.slice(0, 1).map((n) => n.id),
        };
      });
    },

    edit(change: Partial<Draft>) {
      const next = { ...draft.value, ...change };
      if (change.templateKey !== undefined) {
        const t = templates.value.find((x) => x.qualifies && templateKey(x) === change.templateKey);
        // One mapping per {{n}}: the customer's name first, fixed text for the rest until the user chooses.
        next.parameters = Array.from({ length: t?.paramCount ?? 0 }, (_, i) => next.parameters[i] ?? (i === 0 ? { field: 'name' } : { value: '' }));
      }
      draft.value = next;
    },

    setParameter(index: number, source: ParameterSource) {
      draft.value = { ...draft.value, parameters: draft.value.parameters.map((p, i) => (i === index ? source : p)) };
    },

    /** Creates the draft on the backend: the dry run comes back with it. */
    async dryRun(audience: CreateBroadcastInput['audience']) {
      const d = draft.value;
      const t = selectedTemplate();
      if (!t) return;
      const input: CreateBroadcastInput = {
        name: d.name.trim(),
        audience,
        consentSource: d.consentSource as CreateBroadcastInput['consentSource'],
        numberIds: d.numberIds,
        template: { name: t.name, language: t.language },
        parameters: d.parameters,
        ...(d.headerMediaUrl.trim() ? { headerMediaUrl: d.headerMediaUrl.trim() } : {}),
        ...(d.scheduledAt ? { scheduledAt: new Date(d.scheduledAt).toISOString() } : {}),
        ...(d.quietFrom && d.quietTo ? { quietHours: { from: d.quietFrom, to: d.quietTo } } : {}),
        ...(d.saveAudienceAs.trim() ? { saveAudienceAs: d.saveAudienceAs.trim() } : {}),
      };
      await attempt(async () => {
        put(await deps.api.createBroadcast(input));
      });
    },

    /** Launches with the count the user saw on the button; a changed dry run comes back to be reviewed. */
    async launch() {
      const b = current.value;
      if (!b?.dryRun) return;
      const launched = await attempt(() => deps.api.launchBroadcast(b.id, b.dryRun!.recipients));
      if (launched) {
        put(launched);
        deps.onLaunched?.();
      } else if (error.value?.code === 'dry_run_changed') {
        put(await deps.api.broadcast(b.id).catch(() => b));
      }
    },

    /** The broadcast on screen's report of every recipient, as CSV or XLSX, to save as a file (undefined when refused: the error says why). */
    async report(format: 'csv' | 'xlsx' = 'csv'): Promise<{ blob: Blob; fileName: string } | undefined> {
      const b = current.value;
      if (!b) return undefined;
      return attempt(() => deps.api.broadcastReport(b.id, format));
    },

    async act(action: 'pause' | 'resume' | 'cancel' | 'retry-failed') {
      const b = current.value;
      if (!b) return;
      const next = await attempt(() => deps.api.broadcastAction(b.id, action));
      if (next) put(next);
    },

    /** Follows the live stream: the broadcast on screen (and the list) refresh when they change. */
    live(): () => void {
      const stop = deps.live.subscribe((type, data) => {
        // A broadcast changed, or one of its messages was delivered or read (its counts moved); when
        // the stream opens (at first, after a drop), whatever changed while it was not heard.
        if ((type === 'broadcast.updated' || type === 'message.status') && data.broadcastId) changed.add(data.broadcastId);
        else if (type === 'opened' && current.value) changed.add(current.value.id);
        else if (type !== 'opened') return;
        // Many sends make many events: refetch at most every 300 ms.
        if (refetch) return;
        refetch = setTimeout(() => {
          refetch = undefined;
          const shown = current.value;
          if (shown && changed.has(shown.id)) {
            const ask = { screen, n: ++refreshes };
            void deps.api.broadcast(shown.id).then(
              (b) => ask.screen === screen && ask.n === refreshes && (current.value = b),
              () => undefined,
            );
          }
          changed.clear();
          if (list.value || listing)
            void Promise.resolve(listing)
              .then(() => {
                const ask = { screen: listScreen, n: ++listRefreshes };
                return deps.api.broadcasts().then((l) => ask.screen === listScreen && ask.n === listRefreshes && (list.value = l.broadcasts));
              })
              .catch(() => undefined);
        }, 300);
      });
      return () => {
        stop();
        if (refetch) clearTimeout(refetch);
        refetch = undefined;
      };
    },
  };
}
export type BroadcastsModel = ReturnType<typeof createBroadcastsModel>;
