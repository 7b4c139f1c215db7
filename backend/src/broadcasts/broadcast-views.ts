import type { BroadcastTemplate, BroadcastView, ExclusionReason } from '../../../contract/broadcasts';
import { notFound } from '../http/app-error';
import type { LicenceService } from '../licensing/licence-service';
import type { PriceList } from '../licensing/plans';
import type { Queryable } from '../store/db';
import { capacity } from './broadcast-allowance';
import { renderBody, templateVerdict } from './broadcast-rules';
import {
  exclusionCounts,
  failuresOf,
  firstRecipients,
  listBroadcasts,
  numbersOf,
  recipientCounts,
  savedAudiencesOf,
  templatesOfWaba,
  type BroadcastRow,
  type RecipientCounts,
} from './broadcast-store';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const DAY_SECONDS = 86_400;

/** A broadcast in the list: what it sends, where it stands, and its recipients' counts. */
function summary(b: BroadcastRow, c: RecipientCounts) {
  const done = c.sent + c.failed + c.cancelled;
  return {
    id: b.id,
    name: b.name,
    status: b.status,
    pause: b.status === 'paused' && b.pause_reason ? { reason: b.pause_reason, detail: b.pause_detail ?? '' } : null,
    template: { name: b.template_name, language: b.template_language, body: b.template_body },
    consentSource: b.consent_source,
    numberIds: b.number_ids,
    scheduledAt: iso(b.scheduled_at),
    quietHours: b.quiet_hours,
    createdAt: iso(b.created_at)!,
    launchedAt: iso(b.launched_at),
    finishedAt: iso(b.finished_at),
    counts: c,
    progress: c.total ? Math.round((1000 * done) / c.total) / 10 : 0,
  };
}

/**
 * What the user sees of broadcasts (SPEC §6): the list with counts, one broadcast with its failures,
 * a draft's dry run, the saved audiences and the templates to pick from.
 */
export function createBroadcastViews(deps: {
  db: Queryable;
  licences: LicenceService;
  prices: PriceList;
  ratePerSecond: number;
  forbiddenWords?: Record<string, string[]>;
}) {
  const { db } = deps;

  /**
   * A draft's dry run: who is selected, merged and excluded (and why), the messages it needs against
   * the allowance left, how long it takes at the numbers' pace and daily limits, and the first
   * messages as real recipients will read them.
   */
  async function dryRun(b: BroadcastRow, narrowTo: number | null) {
    const exclusions: Record<ExclusionReason, number> = {
      opted_out: 0,
      no_phone: 0,
      invalid_number: 0,
      empty_parameter: 0,
      forbidden_words: 0,
      over_allowance: 0,
    };
    let recipients = 0;
    for (const r of await exclusionCounts(db, b.id)) {
      if (r.exclusion) exclusions[r.exclusion] = r.n;
      else recipients = r.n;
    }
    const { left } = await capacity(deps.licences, deps.prices, b.account_id);
    const numbers = await numbersOf(db, b.account_id, b.number_ids);
    const perSecond = deps.ratePerSecond * Math.max(1, numbers.length);
    const perDay = numbers.reduce((sum, n) => sum + Number(n.daily_limit), 0) || 1;
    const extraDays = Math.floor(Math.max(0, recipients - 1) / perDay);
    const sample = await firstRecipients(db, b.id, narrowTo, 3);
    return {
      selected: b.stats.selected ?? 0,
      phones: b.stats.phones ?? 0,
      merged: b.stats.merged ?? 0,
      recipients,
      exclusions,
      messagesNeeded: recipients,
      allowanceLeft: left,
      estimatedSeconds: Math.ceil(recipients / perSecond) + extraDays * DAY_SECONDS,
      preview: sample.map((r) => ({ name: r.name, phone: `+${r.wa_id}`, text: renderBody(b.template_body, r.parameters) })),
    };
  }

  return {
    /** A broadcast as `narrowTo` may see it: a user id narrows the dry run's preview, null shows it whole. */
    async view(b: BroadcastRow, narrowTo: number | null): Promise<BroadcastView> {
      const counts = (await recipientCounts(db, [b.id])).get(b.id)!;
      return { ...summary(b, counts), dryRun: b.status === 'draft' ? await dryRun(b, narrowTo) : null, failures: await failuresOf(db, b.id) };
    },

    /** The account's newest broadcasts with their counts: one query for the broadcasts, one for all their counts. */
    async list(accountId: string) {
      const rows = await listBroadcasts(db, accountId);
      const counts = await recipientCounts(
        db,
        rows.map((b) => b.id),
      );
      return rows.map((b) => summary(b, counts.get(b.id)!));
    },

    async savedAudiences(accountId: string) {
      return (await savedAudiencesOf(db, accountId)).map((r) => ({ id: r.id, name: r.name, source: r.source, size: r.ids.length }));
    },

    /** Every template of the number's WABA for the broadcast picker: those that qualify first, the others with the reason they do not. */
    async templates(accountId: string, numberId: string): Promise<BroadcastTemplate[]> {
      const [number] = await numbersOf(db, accountId, [numberId]);
      if (!number) throw notFound('No such WhatsApp number in this account.');
      const list = (await templatesOfWaba(db, accountId, number.waba_id)).map((t): BroadcastTemplate => {
        const verdict = templateVerdict(t, deps.forbiddenWords);
        return {
          name: t.name,
          language: t.language,
          category: t.category,
          body: t.body_text,
          paramCount: Number(t.param_count),
          headerFormat: t.header_format,
          status: t.status,
          qualifies: verdict.qualifies,
          unsubscribe: verdict.qualifies ? verdict.unsubscribe.kind : null,
          refusal: verdict.qualifies ? null : { reason: verdict.reason, words: verdict.words },
        };
      });
      return [...list.filter((t) => t.qualifies), ...list.filter((t) => !t.qualifies)];
    },
  };
}
export type BroadcastViews = ReturnType<typeof createBroadcastViews>;
