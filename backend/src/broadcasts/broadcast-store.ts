import type { BroadcastView, ExclusionReason, ParameterSource } from '../../../contract/broadcasts';
import type { Queryable } from '../store/db';
import { tookPartWith } from '../whatsapp/conversations';
import type { TemplateRow } from './broadcast-rules';

/**
 * The SQL of broadcasts, their recipients and saved audiences. The engine's statements (leases, the
 * claim of recipients to send, each send's outcome, reconciliation) are in `broadcast-engine-store.ts`.
 */

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

/** What a broadcast's recipients came to, as the widget counts them. */
export interface RecipientCounts {
  total: number;
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  replied: number;
  optedOut: number;
  cancelled: number;
}

export type NewBroadcast = Pick<
  BroadcastRow,
  | 'id'
  | 'account_id'
  | 'name'
  | 'consent_source'
  | 'template_name'
  | 'template_language'
  | 'template_body'
  | 'waba_id'
  | 'parameters'
  | 'header_media'
  | 'unsubscribe'
  | 'unsubscribe_button_index'
  | 'number_ids'
  | 'scheduled_at'
  | 'quiet_hours'
> & { created_by: number; audience: Record<string, unknown>; created_at: Date };

/** A recipient row as the audience is read (the values of `insertRecipients`, in its column order). */
export type NewRecipient = [
  id: string,
  broadcastId: string,
  accountId: string,
  seq: number,
  waId: string | null,
  rawPhone: string | null,
  contactId: number | null,
  leadId: number | null,
  leadOwnerId: number | null,
  name: string | null,
  parameters: string,
  state: 'queued' | 'excluded',
  exclusion: ExclusionReason | null,
];

export async function findBroadcast(q: Queryable, accountId: string, id: string, lock = false): Promise<BroadcastRow | undefined> {
  const [row] = await q.query<BroadcastRow>(`select * from broadcasts where id = $1 and account_id = $2${lock ? ' for update' : ''}`, [id, accountId]);
  return row;
}

/** The account's newest broadcasts (at most 100). */
export async function listBroadcasts(q: Queryable, accountId: string): Promise<BroadcastRow[]> {
  return q.query<BroadcastRow>('select * from broadcasts where account_id = $1 order by created_at desc limit 100', [accountId]);
}

export async function insertBroadcast(q: Queryable, b: NewBroadcast): Promise<void> {
  await q.query(
    `insert into broadcasts (id, account_id, name, created_by, status, audience, consent_source, template_name, template_language, template_body, waba_id, parameters,
       header_media, unsubscribe, unsubscribe_button_index, number_ids, scheduled_at, quiet_hours, created_at, updated_at)
     values ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)`,
    [
      b.id,
      b.account_id,
      b.name,
      b.created_by,
      JSON.stringify(b.audience),
      b.consent_source,
      b.template_name,
      b.template_language,
      b.template_body,
      b.waba_id,
      JSON.stringify(b.parameters),
      b.header_media ? JSON.stringify(b.header_media) : null,
      b.unsubscribe,
      b.unsubscribe_button_index,
      JSON.stringify(b.number_ids),
      b.scheduled_at,
      b.quiet_hours ? JSON.stringify(b.quiet_hours) : null,
      b.created_at,
    ],
  );
}

export async function setStats(q: Queryable, id: string, stats: BroadcastRow['stats']): Promise<void> {
  await q.query('update broadcasts set stats = $2 where id = $1', [id, JSON.stringify(stats)]);
}

export async function deleteBroadcast(q: Queryable, id: string): Promise<void> {
  await q.query('delete from broadcasts where id = $1', [id]);
}

/** Launched: running now, or scheduled for later; its messages were reserved from `periodId`. */
export async function markLaunched(q: Queryable, id: string, status: 'running' | 'scheduled', at: Date, periodId: string | null): Promise<void> {
  await q.query(`update broadcasts set status = $2, launched_at = $3, updated_at = $3, reserved_period_id = $4 where id = $1`, [id, status, at, periodId]);
}

export async function markPausedByUser(q: Queryable, id: string, at: Date): Promise<void> {
  await q.query(`update broadcasts set status = 'paused', pause_reason = 'by_user', pause_detail = null, updated_at = $2 where id = $1`, [id, at]);
}

export async function markResumed(q: Queryable, id: string, status: 'running' | 'scheduled', at: Date): Promise<void> {
  await q.query(`update broadcasts set status = $2, pause_reason = null, pause_detail = null, updated_at = $3 where id = $1`, [id, status, at]);
}

export async function markCancelled(q: Queryable, id: string, at: Date): Promise<void> {
  await q.query(`update broadcasts set status = 'cancelled', finished_at = $2, updated_at = $2 where id = $1`, [id, at]);
}

/** A completed broadcast runs again (its retryable failures were queued again). */
export async function markRunningAgain(q: Queryable, id: string, at: Date): Promise<void> {
  await q.query(`update broadcasts set status = 'running', finished_at = null, updated_at = $2 where id = $1`, [id, at]);
}

export async function reservedPeriodOf(q: Queryable, id: string): Promise<string | null | undefined> {
  const [row] = await q.query<{ reserved_period_id: string | null }>('select reserved_period_id from broadcasts where id = $1', [id]);
  return row ? row.reserved_period_id : undefined;
}

export async function setReservedPeriod(q: Queryable, id: string, periodId: string): Promise<void> {
  await q.query('update broadcasts set reserved_period_id = $2 where id = $1', [id, periodId]);
}

/** Stores a page of recipients; a phone already stored for the broadcast is not stored again (a merge). Returns how many were stored. */
export async function insertRecipients(q: Queryable, rows: NewRecipient[]): Promise<number> {
  if (!rows.length) return 0;
  const width = rows[0]!.length;
  const values = rows.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
  const inserted = await q.query(
    `insert into broadcast_recipients (id, broadcast_id, account_id, seq, wa_id, raw_phone, kommo_contact_id, kommo_lead_id, lead_owner_id, name, parameters, state, exclusion)
     values ${values} on conflict (broadcast_id, wa_id) do nothing returning id`,
    rows.flat(),
  );
  return inserted.length;
}

/** Re-applies the exclusions that change with time: opted-out customers, and all past the first `cap` over the allowance. */
export async function applyExclusions(q: Queryable, broadcastId: string, cap: number): Promise<void> {
  await q.query(`update broadcast_recipients set state = 'queued', exclusion = null where broadcast_id = $1 and exclusion in ('opted_out', 'over_allowance')`, [
    broadcastId,
  ]);
  await q.query(
    `update broadcast_recipients r set state = 'excluded', exclusion = 'opted_out' where r.broadcast_id = $1 and r.state = 'queued'
       and exists (select 1 from conversations c where c.account_id = r.account_id and c.wa_id = r.wa_id and c.opted_out_at is not null)`,
    [broadcastId],
  );
  await q.query(
    `update broadcast_recipients set state = 'excluded', exclusion = 'over_allowance'
     where id in (select id from broadcast_recipients where broadcast_id = $1 and state = 'queued' order by seq offset $2)`,
    [broadcastId, cap],
  );
}

/** Recipients in these states (only those whose failure may pass, with `retryable`). */
export async function recipientCount(q: Queryable, broadcastId: string, states: string[], only: { retryable?: boolean } = {}): Promise<number> {
  const [row] = await q.query<{ n: string }>(
    `select count(*) as n from broadcast_recipients where broadcast_id = $1 and state = any($2::text[])${only.retryable ? ' and retryable' : ''}`,
    [broadcastId, states],
  );
  return Number(row?.n ?? 0);
}

/** Cancels the recipients not yet sent; returns how many. */
export async function cancelQueued(q: Queryable, broadcastId: string, at: Date): Promise<number> {
  return (
    await q.query(`update broadcast_recipients set state = 'cancelled', outcome_at = $2 where broadcast_id = $1 and state = 'queued' returning id`, [
      broadcastId,
      at,
    ])
  ).length;
}

/**
 * Queues again the failed recipients whose failure may pass; returns how many. `next_attempt_at`
 * stays: a failure that must wait (the per-user marketing cap, 24 h) is sent no sooner.
 */
export async function requeueRetryable(q: Queryable, broadcastId: string): Promise<number> {
  const rows = await q.query(
    `update broadcast_recipients set state = 'queued', attempts = 0, error_code = null, error_title = null, retryable = null,
       wamid = null, accepted_wamid = null, message_id = null, sent_at = null, outcome_at = null
     where broadcast_id = $1 and state = 'failed' and retryable returning id`,
    [broadcastId],
  );
  return rows.length;
}

const COUNTS = `count(*) filter (where r.state <> 'excluded') as total,
  count(*) filter (where r.state in ('queued', 'sending')) as queued,
  count(*) filter (where r.state = 'sent') as sent,
  count(*) filter (where r.state = 'sent' and m.status in ('delivered', 'read')) as delivered,
  count(*) filter (where r.state = 'sent' and m.status = 'read') as read,
  count(*) filter (where r.state = 'failed') as failed,
  count(*) filter (where r.replied_at is not null) as replied,
  count(*) filter (where c.opted_out_at is not null and c.opted_out_at >= date_trunc('second', r.sent_at)) as opted_out,
  count(*) filter (where r.state = 'cancelled') as cancelled`;

const RECIPIENTS_WITH_OUTCOMES = `broadcast_recipients r
  left join messages m on m.id = r.message_id
  left join conversations c on c.number_id = r.number_id and c.wa_id = r.wa_id`;

const NO_RECIPIENTS: RecipientCounts = { total: 0, queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, replied: 0, optedOut: 0, cancelled: 0 };

const toCounts = (c: Record<string, string>): RecipientCounts => {
  const n = (k: string) => Number(c[k] ?? 0);
  return {
    total: n('total'),
    queued: n('queued'),
    sent: n('sent'),
    delivered: n('delivered'),
    read: n('read'),
    failed: n('failed'),
    replied: n('replied'),
    optedOut: n('opted_out'),
    cancelled: n('cancelled'),
  };
};

/** The counts of several broadcasts in one grouped query (a broadcast with no recipient counts zero). */
export async function recipientCounts(q: Queryable, broadcastIds: string[]): Promise<Map<string, RecipientCounts>> {
  const counts = new Map(broadcastIds.map((id) => [id, NO_RECIPIENTS]));
  if (!broadcastIds.length) return counts;
  const rows = await q.query<Record<string, string> & { broadcast_id: string }>(
    `select r.broadcast_id, ${COUNTS} from ${RECIPIENTS_WITH_OUTCOMES} where r.broadcast_id = any($1::text[]) group by r.broadcast_id`,
    [broadcastIds],
  );
  for (const row of rows) counts.set(row.broadcast_id, toCounts(row));
  return counts;
}

/** Recipients of a draft that would be sent, and those excluded by reason (null: sent). */
export async function exclusionCounts(q: Queryable, broadcastId: string): Promise<{ exclusion: ExclusionReason | null; n: number }[]> {
  const rows = await q.query<{ exclusion: ExclusionReason | null; n: string }>(
    `select exclusion, count(*) as n from broadcast_recipients where broadcast_id = $1 and state in ('queued', 'excluded') group by exclusion`,
    [broadcastId],
  );
  return rows.map((r) => ({ exclusion: r.exclusion, n: Number(r.n) }));
}

/**
 * The first recipients that would be sent. A user id narrows them to customers that user took part
 * with (auth/viewer.ts): the ids of a list are no proof that Kommo shows the agent those cards.
 */
export async function firstRecipients(q: Queryable, broadcastId: string, narrowTo: number | null, limit: number) {
  return q.query<{ name: string | null; wa_id: string; parameters: string[] }>(
    `select r.name, r.wa_id, r.parameters from broadcast_recipients r
     where r.broadcast_id = $1 and r.state = 'queued' and ($2::bigint is null or ${tookPartWith('r.account_id', 'r.wa_id', '$2')})
     order by r.seq limit $3`,
    [broadcastId, narrowTo, limit],
  );
}

/** Failed recipients grouped by Meta's error, most frequent first. */
export async function failuresOf(q: Queryable, broadcastId: string) {
  const rows = await q.query<{ error_code: number; error_title: string | null; retryable: boolean | null; n: string }>(
    `select error_code, max(error_title) as error_title, bool_or(coalesce(retryable, false)) as retryable, count(*) as n
     from broadcast_recipients where broadcast_id = $1 and state = 'failed' group by error_code order by count(*) desc`,
    [broadcastId],
  );
  return rows.map((r) => ({ code: Number(r.error_code ?? 0), title: r.error_title ?? 'Unknown error', count: Number(r.n), retryable: Boolean(r.retryable) }));
}

export async function savedAudiencesOf(q: Queryable, accountId: string) {
  return q.query<{ id: string; name: string; source: 'leads' | 'contacts'; ids: number[] }>(
    'select * from saved_audiences where account_id = $1 order by created_at desc',
    [accountId],
  );
}

export async function findSavedAudience(q: Queryable, accountId: string, id: string): Promise<{ source: 'leads' | 'contacts'; ids: number[] } | undefined> {
  const [row] = await q.query<{ source: 'leads' | 'contacts'; ids: number[] }>('select source, ids from saved_audiences where id = $1 and account_id = $2', [
    id,
    accountId,
  ]);
  return row;
}

export async function insertSavedAudience(
  q: Queryable,
  a: { id: string; accountId: string; name: string; source: 'leads' | 'contacts'; ids: number[]; at: Date },
): Promise<void> {
  await q.query('insert into saved_audiences (id, account_id, name, source, ids, created_at) values ($1, $2, $3, $4, $5, $6)', [
    a.id,
    a.accountId,
    a.name,
    a.source,
    JSON.stringify(a.ids),
    a.at,
  ]);
}

/** The account's numbers among `ids`, with their WABA and daily limit. */
export async function numbersOf(q: Queryable, accountId: string, ids: string[]) {
  return q.query<{ id: string; waba_id: string; daily_limit: number }>(
    'select id, waba_id, daily_limit from whatsapp_numbers where account_id = $1 and id = any($2::text[])',
    [accountId, ids],
  );
}

export async function templatesOfWaba(q: Queryable, accountId: string, wabaId: string): Promise<TemplateRow[]> {
  return q.query<TemplateRow>('select * from whatsapp_templates where account_id = $1 and waba_id = $2 order by name, language', [accountId, wabaId]);
}

export async function findTemplate(q: Queryable, accountId: string, wabaId: string, name: string, language: string): Promise<TemplateRow | undefined> {
  const [row] = await q.query<TemplateRow>('select * from whatsapp_templates where account_id = $1 and waba_id = $2 and name = $3 and language = $4', [
    accountId,
    wabaId,
    name,
    language,
  ]);
  return row;
}

/** Two language codes are the same whether written "en_US" (the template list) or "en-US" (status webhooks). */
const SAME_LANGUAGE = (column: string, param: string) => `replace(${column}, '-', '_') = replace(${param}, '-', '_')`;

/** Pauses a running or scheduled broadcast with a reason; false if it was neither. */
export async function markPaused(q: Queryable, id: string, reason: string, detail: string, at: Date): Promise<boolean> {
  const paused = await q.query(
    `update broadcasts set status = 'paused', pause_reason = $2, pause_detail = $3, updated_at = $4 where id = $1 and status in ('running', 'scheduled') returning id`,
    [id, reason, detail, at],
  );
  return paused.length > 0;
}

/**
 * Meta accepted the recipient's send (its wamid not yet noted): notes the wamid it was accepted as.
 * Returns the recipient's broadcast, the state it was in, when that was settled, and whether it is
 * `sending` again; null when its wamid was noted already.
 */
export async function noteAcceptedWamid(
  q: Queryable,
  recipientId: string,
  wamid: string,
): Promise<{ was: string; revived: boolean; settledAt: Date | null; broadcastId: string; accountId: string } | null> {
  // A send failed as unproven (no answer after its last attempt: no error code), or cancelled with its
  // broadcast while no answer had come, that the webhook now proves went out, is `sending` again,
  // unclaimed: the reconciliation records it sent, with its chat message.
  const [row] = await q.query<{ was: string; revived: boolean; settled_at: Date | null; broadcast_id: string; account_id: string }>(
    `with before as (select id, state, error_code, outcome_at from broadcast_recipients where id = $1 and wamid is null for update),
     proven as (select id, state, outcome_at, (state = 'failed' and error_code is null) or state = 'cancelled' as revived from before)
     update broadcast_recipients r set accepted_wamid = $2,
       state = case when proven.revived then 'sending' else r.state end,
       claimed_by = case when proven.revived then null else r.claimed_by end,
       retryable = case when proven.revived then null else r.retryable end,
       error_title = case when proven.revived then null else r.error_title end,
       outcome_at = case when proven.revived then null else r.outcome_at end
     from proven where r.id = proven.id
     returning proven.state as was, proven.revived, proven.outcome_at as settled_at, r.broadcast_id, r.account_id`,
    [recipientId, wamid],
  );
  return row ? { was: row.was, revived: row.revived, settledAt: row.settled_at, broadcastId: row.broadcast_id, accountId: row.account_id } : null;
}

/** A sent recipient's message failed late: the recipient fails (retryable after `retryAt`, if so); the broadcasts touched. */
export function markSentRecipientFailed(
  q: Queryable,
  messageId: string,
  f: { code: number; title: string; retryable: boolean; at: Date; retryAt: Date | null },
) {
  return q.query<{ broadcast_id: string; account_id: string }>(
    `update broadcast_recipients set state = 'failed', error_code = $2, error_title = $3, retryable = $4, outcome_at = $5, next_attempt_at = $6
     where message_id = $1 and state = 'sent' returning broadcast_id, account_id`,
    [messageId, f.code, f.title, f.retryable, f.at, f.retryAt],
  );
}

/** The template a status webhook names: by id, else by name and language with either separator. */
export async function findTemplateOfStatus(
  q: Queryable,
  wabaId: string,
  templateId: string | null,
  name: string,
  language: string,
): Promise<{ name: string; language: string } | undefined> {
  const [known] = await q.query<{ name: string; language: string }>(
    `select name, language from whatsapp_templates where waba_id = $1 and (template_id = $2 or (name = $3 and ${SAME_LANGUAGE('language', '$4')}))
     order by template_id = $2 desc nulls last limit 1`,
    [wabaId, templateId, name, language],
  );
  return known;
}

export async function setTemplateStatus(q: Queryable, wabaId: string, name: string, language: string, status: string): Promise<void> {
  await q.query(`update whatsapp_templates set status = $4 where waba_id = $1 and name = $2 and ${SAME_LANGUAGE('language', '$3')}`, [
    wabaId,
    name,
    language,
    status,
  ]);
}

/** Running or scheduled broadcasts that send this template. */
export function broadcastsUsingTemplate(q: Queryable, wabaId: string, name: string, language: string) {
  return q.query<{ id: string; account_id: string }>(
    `select id, account_id from broadcasts where waba_id = $1 and template_name = $2 and ${SAME_LANGUAGE('template_language', '$3')} and status in ('running', 'scheduled')`,
    [wabaId, name, language],
  );
}

/**
 * Marks replied the customer's latest broadcast message sent after `since` and by `at` not yet replied
 * to; that recipient. Meta stamps the reply in whole seconds: one in the second of the send counts.
 */
export async function attributeReply(q: Queryable, accountId: string, waId: string, since: Date, at: Date) {
  const [r] = await q.query<{
    id: string;
    broadcast_id: string;
    kommo_lead_id: string | null;
    lead_owner_id: string | null;
    name: string | null;
    parameters: string[];
  }>(
    `update broadcast_recipients set replied_at = $4
     where id = (select id from broadcast_recipients where account_id = $1 and wa_id = $2 and state = 'sent' and replied_at is null
                   and date_trunc('second', sent_at) <= $4 and sent_at > $3 order by sent_at desc limit 1)
     returning id, broadcast_id, kommo_lead_id, lead_owner_id, name, parameters`,
    [accountId, waId, since, at],
  );
  return r;
}

export async function broadcastNameAndBody(q: Queryable, id: string): Promise<{ name: string; template_body: string } | undefined> {
  const [b] = await q.query<{ name: string; template_body: string }>('select name, template_body from broadcasts where id = $1', [id]);
  return b;
}
