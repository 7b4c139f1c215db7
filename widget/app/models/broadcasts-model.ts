import { signal } from '@preact/signals';
import type { z } from 'zod/mini';
import type { BroadcastList, BroadcastTemplate, BroadcastView, CreateBroadcastInput, ParameterSource, SavedAudienceList } from '../../../contract/broadcasts';
import type { NumberView } from '../../../contract/whatsapp';
import type { ApiClient } from '../api/api-client';
import { isApiError } from '../api/api-error';

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
export function createBroadcastsModel(deps: { api: ApiClient; onLaunched?: () => void }) {
  const list = signal<Summary[] | null>(null);
  const audiences = signal<z.infer<typeof SavedAudienceList>['audiences']>([]);
  const current = signal<BroadcastView | null>(null);
  const numbers = signal<WhatsAppNumber[]>([]);
  const templates = signal<BroadcastTemplate[]>([]);
  const error = signal<{ code: string; message: string } | null>(null);
  const busy = signal(false);
  const draft = signal<Draft>({ name: '', numberIds: [], templateKey: '', parameters: [], consentSource: '', headerMediaUrl: '', scheduledAt: '', quietFrom: '', quietTo: '', saveAudienceAs: '' });

  async function attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    error.value = null;
    try {
      return await work();
    } catch (err) {
      error.value = isApiError(err) ? { code: err.code, message: err.message } : { code: 'unknown', message: String(err) };
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  /** Only a template that can carry a broadcast can be chosen; the others are listed with their reason. */
  const selectedTemplate = () => templates.value.find((t) => t.qualifies && templateKey(t) === draft.value.templateKey) ?? null;

  let refetch: ReturnType<typeof setTimeout> | undefined;
  const changed = new Set<string>();

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
      await attempt(async () => {
        const [l, a] = await Promise.all([deps.api.broadcasts(), deps.api.audiences()]);
        list.value = l.broadcasts;
        audiences.value = a.audiences;
      });
    },

    async open(id: string) {
      await attempt(async () => {
        current.value = await deps.api.broadcast(id);
      });
    },

    close() {
      current.value = null;
    },

    /** Numbers and their templates (those that can carry a broadcast first), for the composer. */
    async prepare(defaultName: string) {
      await attempt(async () => {
        const connected = (await deps.api.numbers()).numbers;
        numbers.value = connected;
        templates.value = connected[0] ? (await deps.api.broadcastTemplates(connected[0].id)).templates : [];
        draft.value = { ...draft.value, name: draft.value.name || defaultName, numberIds: draft.value.numberIds.length ? draft.value.numberIds : connected.slice(0, 1).map((n) => n.id) };
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
        current.value = await deps.api.createBroadcast(input);
      });
    },

    /** Launches with the count the user saw on the button; a changed dry run comes back to be reviewed. */
    async launch() {
      const b = current.value;
      if (!b?.dryRun) return;
      const launched = await attempt(() => deps.api.launchBroadcast(b.id, b.dryRun!.recipients));
      if (launched) {
        current.value = launched;
        deps.onLaunched?.();
      } else if (error.value?.code === 'dry_run_changed') {
        current.value = await deps.api.broadcast(b.id).catch(() => b);
      }
    },

    async act(action: 'pause' | 'resume' | 'cancel' | 'retry-failed') {
      const b = current.value;
      if (!b) return;
      const next = await attempt(() => deps.api.broadcastAction(b.id, action));
      if (next) current.value = next;
    },

    /** Follows the live stream: the broadcast on screen (and the list) refresh when they change. */
    live(): () => void {
      const controller = new AbortController();
      void (async () => {
        while (!controller.signal.aborted) {
          try {
            await deps.api.events((type, data) => {
              // A broadcast changed, or one of its messages was delivered or read (its counts moved).
              if ((type !== 'broadcast.updated' && type !== 'message.status') || !data.broadcastId) return;
              changed.add(data.broadcastId);
              // Many sends make many events: refetch at most every 300 ms.
              if (refetch) return;
              refetch = setTimeout(() => {
                refetch = undefined;
                const id = current.value?.id;
                if (id && changed.has(id)) void deps.api.broadcast(id).then((b) => (current.value = b), () => undefined);
                changed.clear();
                if (list.value) void deps.api.broadcasts().then((l) => (list.value = l.broadcasts), () => undefined);
              }, 300);
            }, controller.signal);
          } catch {
            // The stream dropped: try again shortly.
          }
          if (!controller.signal.aborted) await new Promise((r) => setTimeout(r, 3000));
        }
      })();
      return () => {
        controller.abort();
        if (refetch) clearTimeout(refetch);
        refetch = undefined;
      };
    },
  };
}
export type BroadcastsModel = ReturnType<typeof createBroadcastsModel>;
