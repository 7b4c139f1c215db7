import type { Queryable } from '../store/db';
import type { NumberRow } from '../whatsapp/number-store';
import type { BroadcastRow } from './broadcast-store';

/**
 * The SQL of the broadcast engine (decision 012): number leases, the claim of due recipients, the
 * outcome of each send, the reconciliation of sends left `sending`, and the broadcasts' start and
 * completion. Each function is one statement; the engine owns the transactions and the rules.
 * A send's outcome is recorded only while the recipient is still `sending` (and, where a `holder`
 * is given, still claimed by that instance), so a lost claim changes nothing; the reconciliation's
 * own updates run on a row it locked (`lockRecipient`) and found `sending` under the very claim it
 * listed (the engine compares holder and claim time: another instance may have claimed it afresh)
 * and whose holder still holds no lease on the number (a slow holder may have renewed it), unless
 * the claim is older than any send lasts (its holder failed to settle it).
 */

/** A recipient as the engine sends it. */
export interface RecipientRow {
  id: string;
  broadcast_id: string;
  account_id: string;
  wa_id: string;
  name: string | null;
  parameters: string[];
  attempts: number;
  accepted_wamid: string | null;
  number_id: string | null;
  kommo_contact_id: string | null;
}

/** A recipient with its state, as the claim and the reconciliation's lock return it. */
/** A recipient as its row stands: its state and who claimed it when (a claim is one holder at one time). */
export type RecipientWithState = RecipientRow & { state: string; claimed_by: string | null; claimed_at: Date | null };

/**
 * Takes or renews the number's lease for `holder` until `until`: granted when no one holds it, when
 * `holder` already does, or when the other holder's lease ran out before `now`.
 */
export async function leaseNumber(q: Queryable, numberId: string, holder: string, now: Date, until: Date): Promise<boolean> {
  const rows = await q.query(
    `insert into broadcast_number_leases (number_id, holder, until) values ($1, $2, $3)
     on conflict (number_id) do update set holder = excluded.holder, until = excluded.until
       where broadcast_number_leases.holder = excluded.holder or broadcast_number_leases.until < $4
     returning number_id`,
    [numberId, holder, until, now],
  );
  return rows.length > 0;
}

/** How many messages the number sent for broadcasts since `since` (its daily limit counts them). */
export async function sentOnNumberSince(q: Queryable, numberId: string, since: Date): Promise<number> {
  const [{ n }] = (await q.query<{ n: string }>(`select count(*) as n from broadcast_recipients where number_id = $1 and state = 'sent' and sent_at > $2`, [
    numberId,
    since,
  ])) as [{ n: string }];
  return Number(n);
}

/**
 * Claims up to `limit` of the broadcast's queued recipients that are due at `now`, in audience order,
 * skipping rows locked elsewhere. In the same statement a recipient whose customer opted out (in any
 * chat of the account) becomes `excluded` (`opted_out`); every other becomes `sending`, claimed by
 * `holder` on the number, its attempt counted. Returns the claimed rows with their new state.
 */
export function claimDueRecipients(
  q: Queryable,
  c: { broadcastId: string; holder: string; now: Date; numberId: string; limit: number },
): Promise<RecipientWithState[]> {
  return q.query<RecipientWithState>(
    `update broadcast_recipients r set
       state = case when due.opted_out then 'excluded' else 'sending' end,
       exclusion = case when due.opted_out then 'opted_out' end,
       outcome_at = case when due.opted_out then $3::timestamptz else r.outcome_at end,
       claimed_by = case when due.opted_out then null else $2 end,
       claimed_at = $3, number_id = case when due.opted_out then r.number_id else $4 end,
       attempts = r.attempts + case when due.opted_out then 0 else 1 end
     from (select q.id, exists (select 1 from conversations c where c.account_id = q.account_id and c.wa_id = q.wa_id and c.opted_out_at is not null) as opted_out
           from broadcast_recipients q where q.broadcast_id = $1 and q.state = 'queued' and (q.next_attempt_at is null or q.next_attempt_at <= $3)
           order by q.seq limit $5 for update skip locked) due
     where r.id = due.id
     returning r.*`,
    [c.broadcastId, c.holder, c.now, c.numberId, c.limit],
  );
}

/**
 * The recipient is sent (Meta accepted it as `wamid` on the number), if it is still `sending` — and,
 * with `holder`, still claimed by it. False when not (the claim was lost).
 */
export async function markRecipientSent(
  q: Queryable,
  s: { recipientId: string; wamid: string; at: Date; numberId: string; holder: string | null },
): Promise<boolean> {
  const mine = s.holder !== null;
  const updated = await q.query(
    `update broadcast_recipients set state = 'sent', wamid = $2, sent_at = $3, outcome_at = $3, number_id = $4
       where id = $1 and state = 'sending' ${mine ? 'and claimed_by = $5' : ''} returning id`,
    mine ? [s.recipientId, s.wamid, s.at, s.numberId, s.holder] : [s.recipientId, s.wamid, s.at, s.numberId],
  );
  return updated.length > 0;
}

/**
 * A send accepted after its holder lost the claim: the recipient is sent with it if no instance is
 * sending it now (queued again, unclaimed and unanswered, or cancelled meanwhile: the message went
 * out all the same). Returns the state it was in (`cancelled`: the message it reserved was given
 * back, when it was settled), or null when another instance holds it or it is settled otherwise.
 */
export async function markRecipientSentLate(
  q: Queryable,
  s: { recipientId: string; wamid: string; at: Date; numberId: string },
): Promise<{ was: 'queued' | 'sending' | 'cancelled'; settledAt: Date | null } | null> {
  const [row] = await q.query<{ was: 'queued' | 'sending' | 'cancelled'; settled_at: Date | null }>(
    `with before as (
       select id, state, outcome_at from broadcast_recipients
        where id = $1 and wamid is null and (state in ('queued', 'cancelled') or (state = 'sending' and claimed_by is null))
        for update)
     update broadcast_recipients r set state = 'sent', wamid = $2, sent_at = $3, outcome_at = $3, number_id = $4, claimed_by = null
       from before where r.id = before.id
     returning before.state as was, before.outcome_at as settled_at`,
    [s.recipientId, s.wamid, s.at, s.numberId],
  );
  return row ? { was: row.was, settledAt: row.settled_at } : null;
}

/** The conversation's Kommo contact, unless it already has one. */
export async function setContactIfUnknown(q: Queryable, conversationId: string, kommoContactId: string): Promise<void> {
  await q.query('update conversations set kommo_contact_id = coalesce(kommo_contact_id, $2) where id = $1', [conversationId, kommoContactId]);
}

/** The sent broadcast message in its chat: an outbound template message, `sent`. */
export async function insertBroadcastMessage(
  q: Queryable,
  m: { id: string; accountId: string; conversationId: string; wamid: string; content: string; at: Date },
): Promise<void> {
  await q.query(
    `insert into messages (id, account_id, conversation_id, direction, wamid, type, content, status, created_at, status_at)
     values ($1, $2, $3, 'out', $4, 'template', $5, 'sent', $6, $6)`,
    [m.id, m.accountId, m.conversationId, m.wamid, m.content, m.at],
  );
}

/** Links the recipient to its chat message (the report and late failures find it by that). */
export async function setRecipientMessage(q: Queryable, recipientId: string, messageId: string): Promise<void> {
  await q.query('update broadcast_recipients set message_id = $2 where id = $1', [recipientId, messageId]);
}

/** Meta refused the send for good: the recipient still claimed by `holder` is failed. Returns how many rows changed (0 or 1). */
export async function markRecipientFailed(
  q: Queryable,
  f: { recipientId: string; code: number; title: string; retryable: boolean; at: Date; holder: string; retryAt: Date | null },
): Promise<number> {
  const done = await q.query(
    `update broadcast_recipients set state = 'failed', error_code = $2, error_title = $3, retryable = $4, outcome_at = $5, claimed_by = null, next_attempt_at = $7
       where id = $1 and state = 'sending' and claimed_by = $6 returning id`,
    [f.recipientId, f.code, f.title, f.retryable, f.at, f.holder, f.retryAt],
  );
  return done.length;
}

/**
 * The recipient still claimed by `holder` is queued again, due at `dueAt`. With `countAttempt` false
 * the attempt its claim counted is taken back (the send was stopped by something not its own).
 */
export async function requeueRecipient(q: Queryable, recipientId: string, holder: string, dueAt: Date, countAttempt: boolean): Promise<void> {
  await q.query(
    `update broadcast_recipients set state = 'queued', claimed_by = null, next_attempt_at = $2 ${countAttempt ? '' : ', attempts = greatest(attempts - 1, 0)'}
       where id = $1 and state = 'sending' and claimed_by = $3`,
    [recipientId, dueAt, holder],
  );
}

/** The recipient still claimed by `holder` stays `sending` but unclaimed: the reconciliation decides it once its grace is over. */
export async function releaseClaim(q: Queryable, recipientId: string, holder: string): Promise<void> {
  await q.query(`update broadcast_recipients set claimed_by = null where id = $1 and state = 'sending' and claimed_by = $2`, [recipientId, holder]);
}

/**
 * Recipients left `sending` since before `claimedBefore` whose claim no instance holds now (released,
 * or its holder's lease on the number ran out before `now`), or since before `abandonedBefore` however
 * held (a send ends long before that: its holder failed to settle it): the oldest 500.
 */
export function unprovenSends(q: Queryable, claimedBefore: Date, now: Date, abandonedBefore: Date): Promise<RecipientWithState[]> {
  return q.query<RecipientWithState>(
    `select r.* from broadcast_recipients r
     where r.state = 'sending' and r.claimed_at < $1
       and (r.claimed_by is null or r.claimed_at < $3
            or not exists (select 1 from broadcast_number_leases l where l.number_id = r.number_id and l.holder = r.claimed_by and l.until > $2))
     order by r.claimed_at limit 500`,
    [claimedBefore, now, abandonedBefore],
  );
}

/** The broadcast by its id alone (the engine works across accounts). */
export async function broadcastById(q: Queryable, id: string): Promise<BroadcastRow | undefined> {
  const [row] = await q.query<BroadcastRow>('select * from broadcasts where id = $1', [id]);
  return row;
}

/**
 * The recipient, locked for the caller's transaction (waiting for another holder of the lock), and
 * whether its claim's holder leases the number at `now` — read under the lock, since a slow holder
 * may have renewed its lease after the row was listed as stale.
 */
export async function lockRecipient(q: Queryable, id: string, now: Date): Promise<(RecipientWithState & { held: boolean }) | undefined> {
  const [row] = await q.query<RecipientWithState & { held: boolean }>(
    `select r.*, exists (select 1 from broadcast_number_leases l where l.number_id = r.number_id and l.holder = r.claimed_by and l.until > $2) as held
     from broadcast_recipients r where r.id = $1 for update of r`,
    [id, now],
  );
  return row;
}

/** The recipient of a cancelled broadcast will not be sent. */
export async function markRecipientCancelled(q: Queryable, id: string, at: Date): Promise<void> {
  await q.query(`update broadcast_recipients set state = 'cancelled', outcome_at = $2, claimed_by = null where id = $1`, [id, at]);
}

/**
 * An unproven send tried as often as allowed: failed, unclaimed, with no error code (none came) and
 * not retryable (it may have gone out: "retry failed" must not send it again). A status webhook that
 * proves it later makes it `sending` again for the reconciliation to record (`noteAcceptedWamid`).
 */
export async function markUnprovenFailed(q: Queryable, id: string, at: Date, title: string): Promise<void> {
  await q.query(
    `update broadcast_recipients set state = 'failed', error_code = null, error_title = $3, retryable = false, outcome_at = $2, claimed_by = null
       where id = $1 and state = 'sending'`,
    [id, at, title],
  );
}

/** The recipient is queued again, unclaimed (its attempt stays counted). */
export async function requeueUnproven(q: Queryable, id: string): Promise<void> {
  await q.query(`update broadcast_recipients set state = 'queued', claimed_by = null where id = $1`, [id]);
}

/**
 * Among the broadcast's last `last` outcomes (sent or failed, newest first), how many failed and how
 * many there are. `last` is a constant of the engine, written into the SQL as is.
 */
export async function recentOutcomes(q: Queryable, broadcastId: string, last: number): Promise<{ failed: number; total: number }> {
  if (!Number.isInteger(last) || last <= 0) throw new Error(`recentOutcomes: last must be a positive integer, not ${last}`);
  const [row] = await q.query<{ failed: string; total: string }>(
    `select count(*) filter (where state = 'failed') as failed, count(*) as total from
       (select state from broadcast_recipients where broadcast_id = $1 and outcome_at is not null and state in ('sent', 'failed') order by outcome_at desc limit ${last}) recent`,
    [broadcastId],
  );
  return { failed: Number(row?.failed ?? 0), total: Number(row?.total ?? 0) };
}

/** Scheduled broadcasts whose time came by `now` start running; returns them. */
export function startScheduled(q: Queryable, now: Date): Promise<{ id: string; account_id: string }[]> {
  return q.query<{ id: string; account_id: string }>(
    `update broadcasts set status = 'running', updated_at = $1 where status = 'scheduled' and scheduled_at <= $1 returning id, account_id`,
    [now],
  );
}

/** The running broadcasts, oldest launch first (at most 50), with their account's time zone. */
export function runningBroadcasts(q: Queryable): Promise<(BroadcastRow & { timezone: string | null })[]> {
  return q.query<BroadcastRow & { timezone: string | null }>(
    `select b.*, a.timezone from broadcasts b join accounts a on a.id = b.account_id where b.status = 'running' order by b.launched_at limit 50`,
  );
}

/** The numbers of `ids` (of any account: the engine keeps each broadcast to its account's numbers). */
export function numbersByIds(q: Queryable, ids: string[]): Promise<NumberRow[]> {
  return q.query<NumberRow>('select * from whatsapp_numbers where id = any($1::text[])', [ids]);
}

/** Running broadcasts with no recipient left `queued` or `sending` are completed at `at`; returns them. */
export function completeFinished(q: Queryable, at: Date): Promise<{ id: string; account_id: string }[]> {
  return q.query<{ id: string; account_id: string }>(
    `update broadcasts b set status = 'completed', finished_at = $1, updated_at = $1
     where status = 'running' and not exists (select 1 from broadcast_recipients r where r.broadcast_id = b.id and r.state in ('queued', 'sending'))
     returning id, account_id`,
    [at],
  );
}
