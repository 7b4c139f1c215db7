import type { Logger } from 'pino';
import { DAY_MS, type Clock } from '../clock';
import type { IdGenerator } from '../ids';
import { enqueueNote } from '../kommo/timeline-store';
import type { LicenceService } from '../licensing/licence-service';
import { zoneOf } from '../licensing/local-time';
import { publish } from '../live/live-events';
import type { Db, Queryable } from '../store/db';
import { BACKOFF, retryDelay } from '../store/durable-queue';
import { isCloudApiError, type CloudApi, type CloudApiError, type OutboundMessage } from '../whatsapp/cloud-api';
import { ensureConversation } from '../whatsapp/conversation-store';
import type { InboxProcessor } from '../whatsapp/inbox-processor';
import { UNSUBSCRIBE_PAYLOAD } from '../whatsapp/message-status';
import type { NumbersService, NumberRow } from '../whatsapp/numbers-service';
import type { Pacer } from '../whatsapp/pacer';
import { releaseReserved, reserveAgainIfNewPeriod } from './broadcast-allowance';
import type { BroadcastRow } from './broadcast-store';
import { CALLBACK_PREFIX, pauseBroadcast } from './broadcast-events';
import { inQuietHours, isRetryableFailure, retryNotBefore } from './broadcast-rules';

interface RecipientRow {
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

const TEMPLATE_ERRORS = new Set([132000, 132001, 132005, 132007, 132012, 132015, 132016]);
const MAX_ATTEMPTS = 5;
/** Auto-pause when at least this share of the last outcomes failed… */
const SPIKE_SHARE = 0.3;
/** …among the last this many, once at least SPIKE_MIN are known. */
const SPIKE_WINDOW = 50;
const SPIKE_MIN = 20;

/**
 * Sends running broadcasts, exactly once per recipient, from any number of instances sharing one
 * database (SPEC §6). Work is claimed with `for update skip locked`; each number is sent on by one
 * instance at a time (a lease), so its pace holds across instances. A recipient is checkpointed
 * `sent` only after Meta accepted it; one left `sending` by a crash or an ambiguous answer is
 * reconciled from the status webhooks (which carry our callback data) before it is ever sent again.
 */
export function createBroadcastEngine(deps: {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  cloud: CloudApi;
  numbers: NumbersService;
  licences: LicenceService;
  inbox: InboxProcessor;
  pacer: Pacer;
  /** Recipients claimed per number per round (about a second of sending). */
  batch: number;
  /** How long an unanswered send waits for Meta's status webhook before it is sent again. */
  reconcileAfterMs: number;
  leaseMs?: number;
  onNoteQueued?: () => void;
}) {
  const { db, clock, logger } = deps;
  const holder = deps.ids();
  const leaseMs = deps.leaseMs ?? 10_000;
  const startedAt = clock.now().getTime();
  let loop: Promise<void> | undefined;
  let stopping = false;

  async function pause(q: Queryable, b: { id: string; account_id: string }, reason: string, detail: string) {
    if (await pauseBroadcast(q, deps, b, reason, detail)) logger.warn({ broadcastId: b.id, reason, detail }, 'broadcast paused');
  }

  async function lease(numberId: string): Promise<boolean> {
    const now = clock.now();
    const rows = await db.query(
      `insert into broadcast_number_leases (number_id, holder, until) values ($1, $2, $3)
       on conflict (number_id) do update set holder = excluded.holder, until = excluded.until
         where broadcast_number_leases.holder = excluded.holder or broadcast_number_leases.until < $4
       returning number_id`,
      [numberId, holder, new Date(now.getTime() + leaseMs), now],
    );
    return rows.length > 0;
  }

  function message(b: BroadcastRow, r: RecipientRow): OutboundMessage {
    const components: unknown[] = [];
    if (b.header_media)
      components.push({
        type: 'header',
        parameters: [{ type: b.header_media.format.toLowerCase(), [b.header_media.format.toLowerCase()]: { link: b.header_media.link } }],
      });
    if (r.parameters.length) components.push({ type: 'body', parameters: r.parameters.map((text) => ({ type: 'text', text })) });
    // The unsubscribe button always carries our payload: the customer's tap comes back as an opt-out.
    if (b.unsubscribe === 'button')
      components.push({
        type: 'button',
        sub_type: 'quick_reply',
        index: String(b.unsubscribe_button_index ?? 0),
        parameters: [{ type: 'payload', payload: UNSUBSCRIBE_PAYLOAD }],
      });
    return {
      to: `+${r.wa_id}`,
      type: 'template',
      template: { name: b.template_name, language: { code: b.template_language }, components },
      biz_opaque_callback_data: `${CALLBACK_PREFIX}${r.id}`,
    };
  }

  /** Meta accepted the message: the recipient is sent, and the message joins the chat and the Kommo timeline. */
  async function checkpoint(q: Queryable, b: BroadcastRow, r: RecipientRow, numberId: string, wamid: string, mine: boolean): Promise<boolean> {
    const now = clock.now();
    const updated = await q.query(
      `update broadcast_recipients set state = 'sent', wamid = $2, sent_at = $3, outcome_at = $3, number_id = $4
       where id = $1 and state = 'sending' ${mine ? 'and claimed_by = $5' : ''} returning id`,
      mine ? [r.id, wamid, now, numberId, holder] : [r.id, wamid, now, numberId],
    );
    if (!updated.length) {
      logger.error({ recipientId: r.id, wamid }, 'broadcast send accepted after its claim was lost');
      return false;
    }
    const conversationId = await ensureConversation(q, {
      id: deps.ids(),
      accountId: b.account_id,
      numberId,
      waId: r.wa_id,
      name: r.name ?? undefined,
      at: now,
    });
    // The audience came from Kommo: the timeline writer need not search for the contact by phone.
    if (r.kommo_contact_id)
      await q.query('update conversations set kommo_contact_id = coalesce(kommo_contact_id, $2) where id = $1', [conversationId, r.kommo_contact_id]);
    const messageId = deps.ids();
    await q.query(
      `insert into messages (id, account_id, conversation_id, direction, wamid, type, content, status, created_at, status_at)
       values ($1, $2, $3, 'out', $4, 'template', $5, 'sent', $6, $6)`,
      [
        messageId,
        b.account_id,
        conversationId,
        wamid,
        JSON.stringify({ name: b.template_name, language: b.template_language, parameters: r.parameters, broadcastId: b.id, broadcastName: b.name }),
        now,
      ],
    );
    await q.query('update broadcast_recipients set message_id = $2 where id = $1', [r.id, messageId]);
    await enqueueNote(q, { messageId, accountId: b.account_id, at: now });
    await deps.inbox.applyEarlyStatuses(q, wamid);
    return true;
  }

  async function failed(b: BroadcastRow, r: RecipientRow, err: CloudApiError) {
    await db.transaction(async (tx) => {
      const now = clock.now();
      const done = await tx.query(
        `update broadcast_recipients set state = 'failed', error_code = $2, error_title = $3, retryable = $4, outcome_at = $5, claimed_by = null, next_attempt_at = $7
         where id = $1 and state = 'sending' and claimed_by = $6 returning id`,
        [r.id, err.code, err.details ? `${err.title}: ${err.details}` : err.title, isRetryableFailure(err.code), now, holder, retryNotBefore(err.code, now)],
      );
      // Never accepted, never billed: the reserved message goes back.
      await releaseReserved(tx, deps.licences, b, done.length);
    });
  }

  async function requeue(r: RecipientRow, delayMs: number, countAttempt = true) {
    await db.query(
      `update broadcast_recipients set state = 'queued', claimed_by = null, next_attempt_at = $2 ${countAttempt ? '' : ', attempts = greatest(attempts - 1, 0)'}
       where id = $1 and state = 'sending' and claimed_by = $3`,
      [r.id, new Date(clock.now().getTime() + delayMs), holder],
    );
  }

  async function sendOne(b: BroadcastRow, number: NumberRow, token: string, r: RecipientRow): Promise<'sent' | 'failed' | 'later'> {
    try {
      const result = await deps.pacer.run(number.phone_number_id, () => deps.cloud.send(number.phone_number_id, token, message(b, r)));
      const stored = await db.transaction((tx) => checkpoint(tx, b, r, number.id, result.wamid, true));
      return stored ? 'sent' : 'later';
    } catch (err) {
      if (!isCloudApiError(err)) throw err;
      if (err.httpStatus === 0 || err.httpStatus >= 500) {
        // No clear answer: Meta may have taken it. Reconciliation decides from the webhooks, later.
        await db.query(`update broadcast_recipients set claimed_by = null where id = $1 and state = 'sending' and claimed_by = $2`, [r.id, holder]);
        return 'later';
      }
      if (TEMPLATE_ERRORS.has(err.code)) {
        await requeue(r, 0, false);
        await pause(db, b, 'template_paused', `Meta refused the template “${b.template_name}”: ${err.title} (code ${err.code}).`);
        return 'later';
      }
      if (err.errorClass === 'auth') {
        await requeue(r, 0, false);
        await pause(db, b, 'number_token_invalid', `Meta refused the access token of ${number.display_phone_number}: an admin must reconnect the number.`);
        return 'later';
      }
      if ((err.errorClass === 'rate_limit' || err.errorClass === 'retryable') && r.attempts < MAX_ATTEMPTS) {
        await requeue(r, retryDelay(BACKOFF.metaSend, r.attempts));
        return 'later';
      }
      await failed(b, r, err);
      return 'failed';
    }
  }

  /** Recipients left `sending` by a process that died or got no clear answer: sent if a webhook proved it, else queued again. */
  async function reconcile(): Promise<number> {
    // Until we have been up as long as the grace period, webhooks retried from before a restart may still be on their way.
    if (clock.now().getTime() - startedAt < deps.reconcileAfterMs) return 0;
    // Every status webhook already received is applied first: it may prove a send we are about to redo.
    for (let round = 0; round < 50 && (await deps.inbox.processPending()) > 0; round++);
    const now = clock.now();
    const stale = await db.query<RecipientRow>(
      `select r.* from broadcast_recipients r
       where r.state = 'sending' and r.claimed_at < $1
         and (r.claimed_by is null or not exists (select 1 from broadcast_number_leases l where l.number_id = r.number_id and l.holder = r.claimed_by and l.until > $2))
       order by r.claimed_at limit 500`,
      [new Date(now.getTime() - deps.reconcileAfterMs), now],
    );
    for (const r of stale) {
      await db.transaction(async (tx) => {
        const [b] = await tx.query<BroadcastRow>('select * from broadcasts where id = $1', [r.broadcast_id]);
        const [current] = await tx.query<RecipientRow & { state: string }>('select * from broadcast_recipients where id = $1 for update', [r.id]);
        if (!b || current?.state !== 'sending') return;
        if (current.accepted_wamid) {
          await checkpoint(tx, b, current, current.number_id!, current.accepted_wamid, false);
          logger.info({ recipientId: r.id }, 'broadcast send proven by its status webhook');
        } else if (b.status === 'cancelled') {
          await tx.query(`update broadcast_recipients set state = 'cancelled', outcome_at = $2, claimed_by = null where id = $1`, [r.id, now]);
          await releaseReserved(tx, deps.licences, b, 1);
        } else {
          await tx.query(`update broadcast_recipients set state = 'queued', claimed_by = null where id = $1`, [r.id]);
          logger.warn({ recipientId: r.id }, 'broadcast send unanswered and unseen by webhooks; queued again');
        }
      });
    }
    return stale.length;
  }

  /** Pauses a broadcast whose recent sends mostly fail (a bad template, a blocked number): sending on would burn quality. */
  async function spiked(b: BroadcastRow): Promise<boolean> {
    const [row] = await db.query<{ failed: string; total: string }>(
      `select count(*) filter (where state = 'failed') as failed, count(*) as total from
         (select state from broadcast_recipients where broadcast_id = $1 and outcome_at is not null and state in ('sent', 'failed') order by outcome_at desc limit ${SPIKE_WINDOW}) recent`,
      [b.id],
    );
    const failedCount = Number(row?.failed ?? 0);
    const total = Number(row?.total ?? 0);
    if (total < SPIKE_MIN || failedCount / total < SPIKE_SHARE) return false;
    await pause(db, b, 'failure_spike', `${failedCount} of the last ${total} messages failed. Check the failures before resuming.`);
    return true;
  }

  /** Whether the broadcast may send now; pauses it (with the reason) when it may not go on at all. */
  async function mayRun(b: BroadcastRow, zone: string): Promise<boolean> {
    const decision = deps.licences.decisionFor(await deps.licences.snapshot(b.account_id), 'broadcasts');
    if (!decision.allowed) {
      await pause(db, b, decision.code, decision.message);
      return false;
    }
    // A new allowance began (a new period): what is left is reserved from it, or the broadcast waits.
    try {
      await db.transaction((tx) => reserveAgainIfNewPeriod(tx, deps.licences, b));
    } catch (err) {
      await pause(db, b, 'allowance_exhausted', err instanceof Error ? err.message : String(err));
      return false;
    }
    if (await spiked(b)) return false;
    return !inQuietHours(clock.now(), zone, b.quiet_hours);
  }

  /** Sends one round on a number: up to a batch of the oldest broadcast's next recipients, within the number's daily limit. Returns how many it tried. */
  async function sendOnNumber(number: NumberRow, broadcasts: BroadcastRow[]): Promise<number> {
    if (!(await lease(number.id))) return 0;
    const now = clock.now();
    const [{ n: sentToday }] = (await db.query<{ n: string }>(
      `select count(*) as n from broadcast_recipients where number_id = $1 and state = 'sent' and sent_at > $2`,
      [number.id, new Date(now.getTime() - DAY_MS)],
    )) as [{ n: string }];
    let room = Math.min(deps.batch, Number(number.daily_limit) - Number(sentToday));
    let worked = 0;
    const token = deps.numbers.token(number);
    for (const b of broadcasts) {
      if (room <= 0) break;
      // The opt-out is read in the claim itself (SPEC §6): a customer who opted out since launch, in
      // any chat of the account, is excluded here and the message reserved for them goes back.
      const claimed = await db.transaction(async (tx) => {
        const rows = await tx.query<RecipientRow & { state: string }>(
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
          [b.id, holder, now, number.id, room],
        );
        await releaseReserved(tx, deps.licences, b, rows.filter((r) => r.state === 'excluded').length);
        return rows;
      });
      if (!claimed.length) continue;
      const sending = claimed.filter((r) => r.state === 'sending');
      room -= sending.length;
      await Promise.all(sending.map((r) => sendOne(b, number, token, r)));
      worked += claimed.length;
      await publish(db, { accountId: b.account_id, type: 'broadcast.updated', broadcastId: b.id }, deps);
      deps.onNoteQueued?.();
    }
    return worked;
  }

  async function finishDone() {
    const done = await db.query<{ id: string; account_id: string }>(
      `update broadcasts b set status = 'completed', finished_at = $1, updated_at = $1
       where status = 'running' and not exists (select 1 from broadcast_recipients r where r.broadcast_id = b.id and r.state in ('queued', 'sending'))
       returning id, account_id`,
      [clock.now()],
    );
    for (const b of done) await publish(db, { accountId: b.account_id, type: 'broadcast.updated', broadcastId: b.id }, deps);
  }

  /** One round of work: scheduled broadcasts start, stale sends are reconciled, running ones send. Returns how many sends it tried. */
  async function tick(): Promise<number> {
    const now = clock.now();
    const started = await db.query<{ id: string; account_id: string }>(
      `update broadcasts set status = 'running', updated_at = $1 where status = 'scheduled' and scheduled_at <= $1 returning id, account_id`,
      [now],
    );
    for (const b of started) await publish(db, { accountId: b.account_id, type: 'broadcast.updated', broadcastId: b.id }, deps);
    await reconcile();
    const running = await db.query<BroadcastRow & { timezone: string | null }>(
      `select b.*, a.timezone from broadcasts b join accounts a on a.id = b.account_id where b.status = 'running' order by b.launched_at limit 50`,
    );
    const ready: BroadcastRow[] = [];
    for (const b of running) if (await mayRun(b, zoneOf(b.timezone))) ready.push(b);
    const byNumber = new Map<string, BroadcastRow[]>();
    for (const b of ready) for (const id of b.number_ids) byNumber.set(id, [...(byNumber.get(id) ?? []), b]);
    const numbers = byNumber.size ? await db.query<NumberRow>('select * from whatsapp_numbers where id = any($1::text[])', [[...byNumber.keys()]]) : [];
    // The numbers send side by side, each at its own pace.
    const sent = await Promise.all(
      numbers.map((n) =>
        sendOnNumber(
          n,
          byNumber.get(n.id)!.filter((b) => b.account_id === n.account_id),
        ),
      ),
    );
    await finishDone();
    return sent.reduce((a, b) => a + b, 0);
  }

  return {
    tick,
    reconcile,
    holder,
    /** Runs rounds until stopped: at once while there is work, every `idleMs` when there is none. */
    start(idleMs = 1000) {
      stopping = false;
      loop ??= (async () => {
        while (!stopping) {
          let sent = 0;
          try {
            sent = await tick();
          } catch (err) {
            logger.error({ err }, 'broadcast round failed');
          }
          if (!sent && !stopping) await new Promise((r) => setTimeout(r, idleMs));
        }
      })();
    },
    async stop() {
      stopping = true;
      await loop;
      loop = undefined;
    },
  };
}
export type BroadcastEngine = ReturnType<typeof createBroadcastEngine>;
