import type { Logger } from 'pino';
import { FORBIDDEN_CONSENT, type BroadcastTemplate, type BroadcastView, type CreateBroadcastInput, type ExclusionReason, type ParameterSource, type TemplateRefusal } from '../../../contract/broadcasts';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { AppError, badRequest, notFound } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { LicenceService } from '../licensing/licence-service';
import type { PriceList } from '../licensing/plans';
import { publish } from '../live/live-events';
import type { Db, Queryable } from '../store/db';
import type { AudienceReader, Candidate } from './audience';
import { parameterValue, renderBody, templateVerdict, type TemplateRow } from './broadcast-rules';
import { findForbiddenWords, forbiddenWordsFinder, linkText } from './forbidden-words';
import { normalisePhone } from '../whatsapp/phone';
import { tookPartWith } from '../whatsapp/conversations';

export interface BroadcastRow {
  id: string;
  account_id: string;
  name: string;
  created_by: string;
  status: 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
  pause_reason: string | null;
  pause_detail: string | null;
  audience: { source?: 'leads' | 'contacts'; ids?: number[]; savedAudienceId?: string };
  consent_source: BroadcastView['consentSource'];
  template_name: string;
  template_language: string;
  template_body: string;
  waba_id: string;
  parameters: ParameterSource[];
  header_media: { link: string; format: string } | null;
  unsubscribe: 'button' | 'line';
  unsubscribe_button_index: number | null;
  number_ids: string[];
  scheduled_at: Date | null;
  quiet_hours: { from: string; to: string } | null;
  reserved_period_id: string | null;
  stats: { selected?: number; phones?: number; merged?: number };
  created_at: Date;
  launched_at: Date | null;
  finished_at: Date | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** Phones given directly, as audience pages: a recipient with no CRM record behind it. */
async function* phonePages(phones: string[]): AsyncGenerator<Candidate[]> {
  for (let i = 0; i < phones.length; i += 250) {
    yield phones.slice(i, i + 250).map((phone) => ({ contact: { id: 0, name: '', firstName: '', lastName: '', phones: [phone], fields: {} }, lead: undefined }));
  }
}
const PAGE_INSERT = 200;

/** The error a draft with a template that cannot carry a broadcast is refused with. */
function refusal(t: TemplateRow, reason: TemplateRefusal, words: string[]): AppError {
  switch (reason) {
    case 'template_not_approved':
      return new AppError(reason, `The template “${t.name}” is ${t.status.toLowerCase()} at Meta and cannot be sent.`, 409);
    case 'unsubscribe_missing':
      return new AppError(reason, `The template “${t.name}” gives customers no way to unsubscribe. Use a template with an “Unsubscribe” quick-reply button or a “Reply STOP to unsubscribe” line.`, 422);
    case 'forbidden_words':
      return new AppError(reason, `The template “${t.name}” contains forbidden words: ${words.join(', ')}. Choose another template.`, 422, [{ path: 'body.template', message: words.join(', '), problem: 'custom' }], { words: words.join(', ') });
  }
}

/** Broadcasts to CRM contacts (SPEC §6): drafts with their dry run, launch with the allowance reserved, and the user's controls. */
export function createBroadcastService(deps: {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  licences: LicenceService;
  audience: AudienceReader;
  prices: PriceList;
  forbiddenWords?: Record<string, string[]>;
  /** Broadcast messages per second per number, for the estimate. */
  ratePerSecond: number;
}) {
  const { db, clock } = deps;

  async function find(accountId: string, id: string, q: Queryable = db, lock = false): Promise<BroadcastRow> {
    const [row] = await q.query<BroadcastRow>(`select * from broadcasts where id = $1 and account_id = $2${lock ? ' for update' : ''}`, [id, accountId]);
    if (!row) throw notFound('No such broadcast in this account.');
    return row;
  }

  /** How many recipients the account may still reach now: the allowance left, and the demo's cap per broadcast. */
  async function capacity(accountId: string, q: Queryable = db): Promise<{ left: number; cap: number; periodId: string | null }> {
    const allowance = await deps.licences.allowance(accountId, q);
    const left = allowance?.left ?? 0;
    const cap = allowance?.plan === 'demo' ? Math.min(left, deps.prices.demo.broadcastRecipients) : left;
    return { left, cap, periodId: allowance?.periodId ?? null };
  }

  /** Re-applies the exclusions that change with time: opted-out customers and the allowance. */
  async function applyExclusions(q: Queryable, b: BroadcastRow, cap: number) {
    await q.query(`update broadcast_recipients set state = 'queued', exclusion = null where broadcast_id = $1 and exclusion in ('opted_out', 'over_allowance')`, [b.id]);
    await q.query(
      `update broadcast_recipients r set state = 'excluded', exclusion = 'opted_out' where r.broadcast_id = $1 and r.state = 'queued'
         and exists (select 1 from conversations c where c.account_id = r.account_id and c.wa_id = r.wa_id and c.opted_out_at is not null)`,
      [b.id],
    );
    await q.query(
      `update broadcast_recipients set state = 'excluded', exclusion = 'over_allowance'
       where id in (select id from broadcast_recipients where broadcast_id = $1 and state = 'queued' order by seq offset $2)`,
      [b.id, cap],
    );
  }

  /** Reads the audience from Kommo into recipient rows, a page at a time; duplicates merge on the phone. */
  async function fill(b: BroadcastRow, pages: AsyncIterable<Candidate[]>, selected: number, country: string | undefined) {
    let seq = 0;
    let phones = 0;
    let stored = 0;
    const forbidden = forbiddenWordsFinder(b.template_language, deps.forbiddenWords);
    for await (const page of pages) {
      const rows: unknown[][] = [];
      for (const candidate of page) {
        const list = candidate.contact.phones.length ? candidate.contact.phones : [null];
        for (const raw of list) {
          phones++;
          rows.push(recipientRow(b, candidate, raw, country, ++seq, forbidden));
        }
      }
      for (let i = 0; i < rows.length; i += PAGE_INSERT) stored += await insertRecipients(rows.slice(i, i + PAGE_INSERT));
    }
    // A phone already stored for this broadcast is not stored again: that is a merge.
    return { selected, phones, merged: phones - stored };
  }

  function recipientRow(b: BroadcastRow, c: Candidate, raw: string | null, country: string | undefined, seq: number, forbidden: (texts: string[]) => string[]): unknown[] {
    const normal = raw ? normalisePhone(raw, country) : null;
    const waId = normal && 'waId' in normal ? normal.waId : null;
    const parameters = waId ? b.parameters.map((p) => parameterValue(p, c, waId)) : [];
    // The fixed values were checked with the text; the recipient's own CRM values are checked here.
    const mapped = parameters.filter((_, i) => 'field' in b.parameters[i]!);
    const exclusion: ExclusionReason | null = !raw
      ? 'no_phone'
      : !waId
        ? 'invalid_number'
        : parameters.some((p) => p === '')
          ? 'empty_parameter'
          : forbidden(mapped).length
            ? 'forbidden_words'
            : null;
    return [
      deps.ids(),
      b.id,
      b.account_id,
      seq,
      waId,
      raw,
      c.contact.id || null,
      c.lead?.id ?? null,
      c.lead?.responsibleUserId ?? null,
      c.contact.name || null,
      JSON.stringify(parameters),
      exclusion ? 'excluded' : 'queued',
      exclusion,
    ];
  }

  async function insertRecipients(rows: unknown[][]): Promise<number> {
    if (!rows.length) return 0;
    const width = rows[0]!.length;
    const values = rows.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
    const inserted = await db.query(
      `insert into broadcast_recipients (id, broadcast_id, account_id, seq, wa_id, raw_phone, kommo_contact_id, kommo_lead_id, lead_owner_id, name, parameters, state, exclusion)
       values ${values} on conflict (broadcast_id, wa_id) do nothing returning id`,
      rows.flat(),
    );
    return inserted.length;
  }

  async function counts(id: string) {
    const [c] = await db.query<Record<string, string>>(
      `select count(*) filter (where r.state <> 'excluded') as total,
              count(*) filter (where r.state in ('queued', 'sending')) as queued,
              count(*) filter (where r.state = 'sent') as sent,
              count(*) filter (where r.state = 'sent' and m.status in ('delivered', 'read')) as delivered,
              count(*) filter (where r.state = 'sent' and m.status = 'read') as read,
              count(*) filter (where r.state = 'failed') as failed,
              count(*) filter (where r.replied_at is not null) as replied,
              count(*) filter (where c.opted_out_at is not null and c.opted_out_at >= r.sent_at) as opted_out,
              count(*) filter (where r.state = 'cancelled') as cancelled
       from broadcast_recipients r
         left join messages m on m.id = r.message_id
         left join conversations c on c.number_id = r.number_id and c.wa_id = r.wa_id
       where r.broadcast_id = $1`,
      [id],
    );
    const n = (k: string) => Number(c?.[k] ?? 0);
    return { total: n('total'), queued: n('queued'), sent: n('sent'), delivered: n('delivered'), read: n('read'), failed: n('failed'), replied: n('replied'), optedOut: n('opted_out'), cancelled: n('cancelled') };
  }

  async function dryRun(b: BroadcastRow, narrowTo: number | null) {
    const rows = await db.query<{ exclusion: ExclusionReason | null; n: string }>(
      `select exclusion, count(*) as n from broadcast_recipients where broadcast_id = $1 and state in ('queued', 'excluded') group by exclusion`,
      [b.id],
    );
    const exclusions: Record<ExclusionReason, number> = { opted_out: 0, no_phone: 0, invalid_number: 0, empty_parameter: 0, forbidden_words: 0, over_allowance: 0 };
    let recipients = 0;
    for (const r of rows) {
      if (r.exclusion) exclusions[r.exclusion] = Number(r.n);
      else recipients = Number(r.n);
    }
    const { left } = await capacity(b.account_id);
    const numbers = await db.query<{ daily_limit: number }>('select daily_limit from whatsapp_numbers where account_id = $1 and id = any($2::text[])', [b.account_id, b.number_ids]);
    const perSecond = deps.ratePerSecond * Math.max(1, numbers.length);
    const perDay = numbers.reduce((sum, n) => sum + Number(n.daily_limit), 0) || 1;
    const extraDays = Math.floor(Math.max(0, recipients - 1) / perDay);
    // Real recipients (SPEC §6), but an agent sees only customers they took part with (auth/viewer.ts):
    // the ids of a list are no proof that Kommo shows the agent those cards.
    const sample = await db.query<{ name: string | null; wa_id: string; parameters: string[] }>(
      `select r.name, r.wa_id, r.parameters from broadcast_recipients r
       where r.broadcast_id = $1 and r.state = 'queued' and ($2::bigint is null or ${tookPartWith('r.account_id', 'r.wa_id', '$2')})
       order by r.seq limit 3`,
      [b.id, narrowTo],
    );
    return {
      selected: b.stats.selected ?? 0,
      phones: b.stats.phones ?? 0,
      merged: b.stats.merged ?? 0,
      recipients,
      exclusions,
      messagesNeeded: recipients,
      allowanceLeft: left,
      estimatedSeconds: Math.ceil(recipients / perSecond) + extraDays * 86_400,
      preview: sample.map((r) => ({ name: r.name, phone: `+${r.wa_id}`, text: renderBody(b.template_body, r.parameters) })),
    };
  }

  async function failures(id: string) {
    const rows = await db.query<{ error_code: number; error_title: string | null; retryable: boolean | null; n: string }>(
      `select error_code, max(error_title) as error_title, bool_or(coalesce(retryable, false)) as retryable, count(*) as n
       from broadcast_recipients where broadcast_id = $1 and state = 'failed' group by error_code order by count(*) desc`,
      [id],
    );
    return rows.map((r) => ({ code: Number(r.error_code ?? 0), title: r.error_title ?? 'Unknown error', count: Number(r.n), retryable: Boolean(r.retryable) }));
  }

  function summary(b: BroadcastRow, c: Awaited<ReturnType<typeof counts>>) {
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

  /** A broadcast as `narrowTo` may see it: a user id narrows the dry run's preview, null shows it whole. */
  async function view(b: BroadcastRow, narrowTo: number | null): Promise<BroadcastView> {
    return { ...summary(b, await counts(b.id)), dryRun: b.status === 'draft' ? await dryRun(b, narrowTo) : null, failures: await failures(b.id) };
  }

  async function changed(q: Queryable, b: { id: string; account_id: string }) {
    await publish(q, { accountId: b.account_id, type: 'broadcast.updated', broadcastId: b.id }, deps);
  }

  async function audit(q: Queryable, b: BroadcastRow, userId: number, action: string, details: Record<string, unknown> = {}) {
    await recordAudit(q, { accountId: b.account_id, actor: `user:${userId}`, action, details: { broadcastId: b.id, ...details }, at: clock.now() });
  }

  return {
    find,
    view: async (accountId: string, id: string, narrowTo: number | null) => view(await find(accountId, id), narrowTo),

    async list(accountId: string) {
      const rows = await db.query<BroadcastRow>('select * from broadcasts where account_id = $1 order by created_at desc limit 100', [accountId]);
      return Promise.all(rows.map(async (b) => summary(b, await counts(b.id))));
    },

    async savedAudiences(accountId: string) {
      const rows = await db.query<{ id: string; name: string; source: 'leads' | 'contacts'; ids: number[] }>('select * from saved_audiences where account_id = $1 order by created_at desc', [accountId]);
      return rows.map((r) => ({ id: r.id, name: r.name, source: r.source, size: r.ids.length }));
    },

    /** Every template of the number's WABA for the broadcast picker: those that qualify first, the others with the reason they do not. */
    async templates(accountId: string, numberId: string): Promise<BroadcastTemplate[]> {
      const [number] = await db.query<{ waba_id: string }>('select waba_id from whatsapp_numbers where account_id = $1 and id = $2', [accountId, numberId]);
      if (!number) throw notFound('No such WhatsApp number in this account.');
      const rows = await db.query<TemplateRow>('select * from whatsapp_templates where account_id = $1 and waba_id = $2 order by name, language', [accountId, number.waba_id]);
      const list = rows.map((t): BroadcastTemplate => {
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

    /** A draft with its recipients read from Kommo and its dry run; nothing is sent until launch. */
    async create(accountId: string, userId: number, input: CreateBroadcastInput, narrowTo: number | null): Promise<BroadcastView> {
      await deps.licences.require(accountId, 'broadcasts');
      if (FORBIDDEN_CONSENT.has(input.consentSource)) {
        throw new AppError('consent_not_allowed', 'Purchased, rented or scraped contact lists may not receive WhatsApp broadcasts. Send only to customers who agreed to hear from you.', 422);
      }
      let source: 'leads' | 'contacts' | 'phones';
      let ids: number[];
      if ('phones' in input.audience) {
        source = 'phones';
        ids = [];
      } else if ('savedAudienceId' in input.audience) {
        const [saved] = await db.query<{ source: 'leads' | 'contacts'; ids: number[] }>('select source, ids from saved_audiences where id = $1 and account_id = $2', [input.audience.savedAudienceId, accountId]);
        if (!saved) throw notFound('No such saved audience in this account.');
        ({ source, ids } = saved);
      } else {
        ({ source, ids } = input.audience);
      }
      const numbers = await db.query<{ id: string; waba_id: string }>('select id, waba_id from whatsapp_numbers where account_id = $1 and id = any($2::text[])', [accountId, input.numberIds]);
      if (numbers.length !== new Set(input.numberIds).size) throw badRequest('unknown_number', 'One of the chosen WhatsApp numbers is not connected to this account.');
      const wabas = new Set(numbers.map((n) => n.waba_id));
      if (wabas.size !== 1) throw badRequest('numbers_not_same_waba', 'The chosen numbers must belong to one WhatsApp Business Account (templates are per account).');
      const wabaId = [...wabas][0]!;
      const [template] = await db.query<TemplateRow>('select * from whatsapp_templates where account_id = $1 and waba_id = $2 and name = $3 and language = $4', [
        accountId,
        wabaId,
        input.template.name,
        input.template.language,
      ]);
      if (!template) throw badRequest('template_unknown', `There is no template “${input.template.name}” in ${input.template.language} for these numbers. Refresh the templates if it was just approved.`);
      const verdict = templateVerdict(template, deps.forbiddenWords);
      if (!verdict.qualifies) throw refusal(template, verdict.reason, verdict.words);
      if (input.parameters.length !== Number(template.param_count)) {
        throw badRequest('template_parameters', `The template “${template.name}” takes ${template.param_count} parameter${Number(template.param_count) === 1 ? '' : 's'}; ${input.parameters.length} were mapped.`);
      }
      const mediaHeader = template.header_format && template.header_format !== 'TEXT' ? template.header_format : null;
      if (mediaHeader && !input.headerMediaUrl) throw badRequest('header_media_required', `The template “${template.name}” has a ${mediaHeader.toLowerCase()} header: give a link to the file.`);
      const unsubscribe = verdict.unsubscribe;
      // What every recipient reads the same: the fixed values, the name, and the header's link (its
      // words can show to the customer). Each recipient's own values are checked as the audience is read.
      const fixed = input.parameters.flatMap((p) => ('value' in p ? [p.value] : []));
      const hits = findForbiddenWords([...fixed, input.name], template.language, deps.forbiddenWords);
      if (hits.length) throw new AppError('forbidden_words', `The broadcast contains forbidden words: ${hits.join(', ')}. Change the text or the template.`, 422, [{ path: 'body.parameters', message: hits.join(', ') }]);
      const inLink = mediaHeader && input.headerMediaUrl ? findForbiddenWords([linkText(input.headerMediaUrl)], template.language, deps.forbiddenWords) : [];
      if (inLink.length) throw new AppError('forbidden_words', `The header's link contains forbidden words: ${inLink.join(', ')}. Use another file or link.`, 422, [{ path: 'body.headerMediaUrl', message: inLink.join(', '), problem: 'custom' }], { words: inLink.join(', ') });
      const scheduledAt = input.scheduledAt ? new Date(input.scheduledAt) : null;
      if (scheduledAt && scheduledAt.getTime() < clock.now().getTime() - 60_000) throw badRequest('schedule_in_past', 'The scheduled time has passed; choose a later time or launch now.');

      const at = clock.now();
      const id = deps.ids();
      await db.transaction(async (tx) => {
        if (input.saveAudienceAs && source !== 'phones') {
          await tx.query('insert into saved_audiences (id, account_id, name, source, ids, created_at) values ($1, $2, $3, $4, $5, $6)', [deps.ids(), accountId, input.saveAudienceAs, source, JSON.stringify(ids), at]);
        }
        await tx.query(
          `insert into broadcasts (id, account_id, name, created_by, status, audience, consent_source, template_name, template_language, template_body, waba_id, parameters,
             header_media, unsubscribe, unsubscribe_button_index, number_ids, scheduled_at, quiet_hours, created_at, updated_at)
           values ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)`,
          [
            id,
            accountId,
            input.name,
            userId,
            JSON.stringify('savedAudienceId' in input.audience ? input.audience : { source, count: source === 'phones' ? (input.audience as { phones: string[] }).phones.length : ids.length }),
            input.consentSource,
            template.name,
            template.language,
            template.body_text,
            wabaId,
            JSON.stringify(input.parameters),
            mediaHeader ? JSON.stringify({ link: input.headerMediaUrl, format: mediaHeader }) : null,
            unsubscribe.kind,
            unsubscribe.kind === 'button' ? unsubscribe.index : null,
            JSON.stringify(input.numberIds),
            scheduledAt,
            input.quietHours ? JSON.stringify(input.quietHours) : null,
            at,
          ],
        );
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'broadcast.created', details: { broadcastId: id, consentSource: input.consentSource, consentNote: input.consentNote ?? null }, at });
      });
      try {
        const b = await find(accountId, id);
        const [account] = await db.query<{ country: string | null }>('select country from accounts where id = $1', [accountId]);
        const pages = 'phones' in input.audience ? phonePages(input.audience.phones) : deps.audience.read(accountId, source as 'leads' | 'contacts', ids);
        const stats = await fill(b, pages, 'phones' in input.audience ? input.audience.phones.length : ids.length, account?.country ?? undefined);
        await db.query('update broadcasts set stats = $2 where id = $1', [id, JSON.stringify(stats)]);
        await applyExclusions(db, b, (await capacity(accountId)).cap);
      } catch (err) {
        // A draft whose audience could not be read is of no use: it goes, and the user tries again.
        await db.query('delete from broadcasts where id = $1', [id]);
        throw err;
      }
      return view(await find(accountId, id), narrowTo);
    },

    /**
     * Freezes the recipients and reserves their messages from the allowance, in one transaction; the
     * engine picks the broadcast up at its time. `expectedRecipients` guards against launching
     * numbers other than those the user saw.
     */
    async launch(accountId: string, userId: number, id: string, expectedRecipients?: number): Promise<BroadcastView> {
      await deps.licences.require(accountId, 'broadcasts');
      const { cap, periodId } = await capacity(accountId);
      await db.transaction(async (tx) => {
        const b = await find(accountId, id, tx, true);
        if (b.status !== 'draft') throw new AppError('broadcast_not_draft', `This broadcast is ${b.status}; only a draft can be launched.`, 409);
        await applyExclusions(tx, b, cap);
        const [{ n }] = (await tx.query<{ n: string }>(`select count(*) as n from broadcast_recipients where broadcast_id = $1 and state = 'queued'`, [id])) as [{ n: string }];
        const recipients = Number(n);
        if (expectedRecipients !== undefined && expectedRecipients !== recipients) {
          throw new AppError('dry_run_changed', `The audience changed since the dry run: ${recipients} recipients now, ${expectedRecipients} shown. Review the new dry run and launch again.`, 409);
        }
        if (recipients === 0) throw new AppError('nothing_to_send', 'No recipient is left after the exclusions: there is nothing to send.', 422);
        await deps.licences.takeOutbound(accountId, recipients, tx);
        const now = clock.now();
        const status = b.scheduled_at && new Date(b.scheduled_at) > now ? 'scheduled' : 'running';
        await tx.query(`update broadcasts set status = $2, launched_at = $3, updated_at = $3, reserved_period_id = $4 where id = $1`, [id, status, now, periodId]);
        await audit(tx, b, userId, 'broadcast.launched', { recipients });
        await changed(tx, b);
      });
      return view(await find(accountId, id), userId);
    },

    async pause(accountId: string, userId: number, id: string): Promise<BroadcastView> {
      await db.transaction(async (tx) => {
        const b = await find(accountId, id, tx, true);
        if (b.status !== 'running' && b.status !== 'scheduled') throw new AppError('broadcast_not_running', `This broadcast is ${b.status}; only a running or scheduled one can be paused.`, 409);
        await tx.query(`update broadcasts set status = 'paused', pause_reason = 'by_user', pause_detail = null, updated_at = $2 where id = $1`, [id, clock.now()]);
        await audit(tx, b, userId, 'broadcast.paused');
        await changed(tx, b);
      });
      return view(await find(accountId, id), userId);
    },

    async resume(accountId: string, userId: number, id: string): Promise<BroadcastView> {
      await deps.licences.require(accountId, 'broadcasts');
      await db.transaction(async (tx) => {
        const b = await find(accountId, id, tx, true);
        if (b.status !== 'paused') throw new AppError('broadcast_not_paused', `This broadcast is ${b.status}; only a paused one can be resumed.`, 409);
        const [t] = await tx.query<{ status: string }>('select status from whatsapp_templates where account_id = $1 and waba_id = $2 and name = $3 and language = $4', [accountId, b.waba_id, b.template_name, b.template_language]);
        if (t?.status !== 'APPROVED') throw new AppError('template_not_approved', `The template “${b.template_name}” is ${(t?.status ?? 'gone').toLowerCase()} at Meta; resume when it is approved again.`, 409);
        await reserveAgainIfNewPeriod(tx, deps.licences, b);
        const status = b.scheduled_at && new Date(b.scheduled_at) > clock.now() ? 'scheduled' : 'running';
        await tx.query(`update broadcasts set status = $2, pause_reason = null, pause_detail = null, updated_at = $3 where id = $1`, [id, status, clock.now()]);
        await audit(tx, b, userId, 'broadcast.resumed');
        await changed(tx, b);
      });
      return view(await find(accountId, id), userId);
    },

    /** Stops for good: recipients not yet sent are cancelled and their messages go back to the allowance. */
    async cancel(accountId: string, userId: number, id: string): Promise<BroadcastView> {
      await db.transaction(async (tx) => {
        const b = await find(accountId, id, tx, true);
        if (b.status === 'completed' || b.status === 'cancelled') throw new AppError('broadcast_finished', `This broadcast is already ${b.status}.`, 409);
        const cancelled = await tx.query(`update broadcast_recipients set state = 'cancelled', outcome_at = $2 where broadcast_id = $1 and state = 'queued' returning id`, [id, clock.now()]);
        if (b.status !== 'draft') await releaseReserved(tx, deps.licences, b, cancelled.length);
        await tx.query(`update broadcasts set status = 'cancelled', finished_at = $2, updated_at = $2 where id = $1`, [id, clock.now()]);
        await audit(tx, b, userId, 'broadcast.cancelled', { recipients: cancelled.length });
        await changed(tx, b);
      });
      return view(await find(accountId, id), userId);
    },

    /** Sends again to recipients whose failure may pass (rate limits, transient errors); final failures stay failed. */
    async retryFailed(accountId: string, userId: number, id: string): Promise<BroadcastView> {
      await deps.licences.require(accountId, 'broadcasts');
      await db.transaction(async (tx) => {
        const b = await find(accountId, id, tx, true);
        if (b.status === 'draft' || b.status === 'cancelled') throw new AppError('broadcast_not_started', `This broadcast is ${b.status}; there is nothing to retry.`, 409);
        const retry = await tx.query<{ id: string }>(`select id from broadcast_recipients where broadcast_id = $1 and state = 'failed' and retryable`, [id]);
        if (!retry.length) throw new AppError('nothing_to_retry', 'No failed recipient of this broadcast can be retried: the failures left are final.', 409);
        // The reservation lives in one period: what is still queued moves to the allowance in force before more is taken from it.
        await reserveAgainIfNewPeriod(tx, deps.licences, b);
        await deps.licences.takeOutbound(accountId, retry.length, tx);
        // `next_attempt_at` stays: a failure that must wait (the per-user marketing cap, 24 h) is sent no sooner.
        await tx.query(
          `update broadcast_recipients set state = 'queued', attempts = 0, error_code = null, error_title = null, retryable = null,
             wamid = null, accepted_wamid = null, message_id = null, sent_at = null, outcome_at = null
           where broadcast_id = $1 and state = 'failed' and retryable`,
          [id],
        );
        if (b.status === 'completed') await tx.query(`update broadcasts set status = 'running', finished_at = null, updated_at = $2 where id = $1`, [id, clock.now()]);
        await audit(tx, b, userId, 'broadcast.retry_failed', { recipients: retry.length });
        await changed(tx, b);
      });
      return view(await find(accountId, id), userId);
    },
  };

}
export type BroadcastService = ReturnType<typeof createBroadcastService>;

/**
 * A broadcast reserves its messages from the allowance in force at launch, and its row names that
 * period (`reserved_period_id`). When a new period (a new allowance) has begun since, the reservation
 * for what is left moves: taken from the new allowance, given back to the old one; refused when the
 * new allowance cannot hold it.
 */
export async function reserveAgainIfNewPeriod(tx: Queryable, licences: LicenceService, b: Pick<BroadcastRow, 'id' | 'account_id'>): Promise<void> {
  const allowance = await licences.allowance(b.account_id, tx);
  const [row] = await tx.query<{ reserved_period_id: string | null }>('select reserved_period_id from broadcasts where id = $1', [b.id]);
  if (!allowance || !row || allowance.periodId === row.reserved_period_id) return;
  const [{ n }] = (await tx.query<{ n: string }>(`select count(*) as n from broadcast_recipients where broadcast_id = $1 and state in ('queued', 'sending')`, [b.id])) as [{ n: string }];
  if (Number(n) > 0) {
    await licences.takeOutbound(b.account_id, Number(n), tx);
    if (row.reserved_period_id) await licences.returnOutbound(b.account_id, Number(n), tx, row.reserved_period_id);
  }
  await tx.query('update broadcasts set reserved_period_id = $2 where id = $1', [b.id, allowance.periodId]);
}

/** Gives back messages reserved for recipients that will not be sent, to the period the broadcast reserved them from. */
export async function releaseReserved(tx: Queryable, licences: LicenceService, b: Pick<BroadcastRow, 'id' | 'account_id'>, count: number): Promise<void> {
  if (count <= 0) return;
  const [row] = await tx.query<{ reserved_period_id: string | null }>('select reserved_period_id from broadcasts where id = $1', [b.id]);
  await licences.returnOutbound(b.account_id, count, tx, row?.reserved_period_id ?? null);
}
