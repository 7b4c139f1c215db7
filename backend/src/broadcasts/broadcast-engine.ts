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
import { chargeReturned, releaseReserved, reserveAgainIfNewPeriod } from './broadcast-allowance';
import {
  broadcastById,
  claimDueRecipients,
  completeFinished,
  insertBroadcastMessage,
  leaseNumber,
  lockRecipient,
  markRecipientCancelled,
  markRecipientFailed,
  markRecipientSent,
  markRecipientSentLate,
  markUnprovenFailed,
  numbersByIds,
  recentOutcomes,
  releaseClaim,
  requeueRecipient,
  requeueUnproven,
  runningBroadcasts,
  sentOnNumberSince,
  setContactIfUnknown,
  setRecipientMessage,
  startScheduled,
  unprovenSends,
  type RecipientRow,
} from './broadcast-engine-store';
import type { BroadcastRow } from './broadcast-store';
import { CALLBACK_PREFIX, pauseBroadcast } from './broadcast-events';
import { inQuietHours, isRetryableFailure, retryNotBefore } from './broadcast-rules';

/**
 * A claim this old is settled by reconciliation even if its holder is alive and leases the number: a
 * send starts within the holder's lease (10 s) and Meta's call times out in 15 s, so a recipient still
 * `sending` by then is one its holder failed to settle (its checkpoint failed after Meta accepted).
 */
const CLAIM_ABANDONED_MS = 15 * 60_000;

/** A send not started: this instance's lease on the number ran out before its turn. */
class LeaseRanOut extends Error {}

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

  /** Until when this instance leases each number, as of its last renewal. */
  const leasedUntil = new Map<string, number>();

  async function lease(numberId: string): Promise<boolean> {
    const now = clock.now();
    const until = new Date(now.getTime() + leaseMs);
    const leased = await leaseNumber(db, numberId, holder, now, until);
    leasedUntil.set(numberId, leased ? until.getTime() : 0);
    return leased;
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
    const sent = { recipientId: r.id, wamid, at: now, numberId };
    if (!(await markRecipientSent(q, { ...sent, holder: mine ? holder : null }))) {
      // Accepted after this instance lost its claim (it stalled past its lease): the message went out.
      // A recipient queued again, left unanswered, or cancelled meanwhile is recorded sent with it, and
      // not sent twice; a cancelled one had given its message back to the allowance, which counts it again.
      const late = mine ? await markRecipientSentLate(q, sent) : null;
      if (!late) {
        logger.error(
          { recipientId: r.id, wamid },
          'broadcast send accepted after its claim was lost; not recorded (the recipient was settled or claimed again meanwhile)',
        );
        return false;
      }
      if (late.was === 'cancelled') await chargeReturned(q, deps.licences, b, late.settledAt ?? now);
      logger.warn({ recipientId: r.id, wamid, was: late.was }, 'broadcast send accepted after its claim was lost; recorded as sent');
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
    if (r.kommo_contact_id) await setContactIfUnknown(q, conversationId, r.kommo_contact_id);
    const messageId = deps.ids();
    await insertBroadcastMessage(q, {
      id: messageId,
      accountId: b.account_id,
      conversationId,
      wamid,
      content: JSON.stringify({ name: b.template_name, language: b.template_language, parameters: r.parameters, broadcastId: b.id, broadcastName: b.name }),
      at: now,
    });
    await setRecipientMessage(q, r.id, messageId);
    await enqueueNote(q, { messageId, accountId: b.account_id, at: now });
    await deps.inbox.applyEarlyStatuses(q, wamid);
    return true;
  }

  async function failed(b: BroadcastRow, r: RecipientRow, err: CloudApiError) {
    await db.transaction(async (tx) => {
      const now = clock.now();
      const done = await markRecipientFailed(tx, {
        recipientId: r.id,
        code: err.code,
        title: err.details ? `${err.title}: ${err.details}` : err.title,
        retryable: isRetryableFailure(err.code),
        at: now,
        holder,
        retryAt: retryNotBefore(err.code, now),
      });
      // Never accepted, never billed: the reserved message goes back.
      await releaseReserved(tx, deps.licences, b, done);
    });
  }

  async function requeue(r: RecipientRow, delayMs: number, countAttempt = true) {
    await requeueRecipient(db, r.id, holder, new Date(clock.now().getTime() + delayMs), countAttempt);
  }

  /** Whether this instance's lease on the number, as of its last renewal, has more than `marginMs` to go. */
  const leased = (numberId: string, marginMs = 0) => clock.now().getTime() + marginMs < (leasedUntil.get(numberId) ?? 0);

  async function sendOne(b: BroadcastRow, number: NumberRow, token: string, r: RecipientRow): Promise<'sent' | 'failed' | 'later' | 'untried'> {
    try {
      // A send is started only under this instance's lease on the number: once it has run out (a
      // stall), another instance may reconcile the claim and queue the recipient again. Checked
      // before the pacer (a send not made takes no slot) and again when the slot comes.
      if (!leased(number.id)) throw new LeaseRanOut();
      const result = await deps.pacer.run(number.phone_number_id, () => {
        if (!leased(number.id)) throw new LeaseRanOut();
        return deps.cloud.send(number.phone_number_id, token, message(b, r));
      });
      const stored = await db.transaction((tx) => checkpoint(tx, b, r, number.id, result.wamid, true));
      return stored ? 'sent' : 'later';
    } catch (err) {
      if (err instanceof LeaseRanOut) {
        // Nothing was sent: queued again at once if the claim is still this instance's (the next round
        // leases the number again), else left to the instance that took it.
        await requeue(r, 0, false);
        return 'untried';
      }
      if (!isCloudApiError(err)) throw err;
      if (err.httpStatus === 0 || err.httpStatus >= 500) {
        // No clear answer: Meta may have taken it. Reconciliation decides from the webhooks, later.
        await releaseClaim(db, r.id, holder);
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
    const abandonedBefore = new Date(now.getTime() - Math.max(deps.reconcileAfterMs, CLAIM_ABANDONED_MS));
    const stale = await unprovenSends(db, new Date(now.getTime() - deps.reconcileAfterMs), now, abandonedBefore);
    for (const r of stale) {
      // One recipient that cannot be settled now (a failing statement) does not hold up the others, nor the round's sends.
      await db
        .transaction(async (tx) => {
          const b = await broadcastById(tx, r.broadcast_id);
          const current = await lockRecipient(tx, r.id, now);
          if (!b || current?.state !== 'sending') return;
          // Claimed again since it was listed (another instance queued it again and is sending it now), or
          // its holder renewed its lease meanwhile (slow, not gone) and the claim is young enough for its
          // send to be on its way: not stale, not ours to decide.
          if (current.claimed_by !== r.claimed_by || current.claimed_at?.getTime() !== r.claimed_at?.getTime()) return;
          if (current.held && current.claimed_at! >= abandonedBefore) return;
          if (current.accepted_wamid) {
            await checkpoint(tx, b, current, current.number_id!, current.accepted_wamid, false);
            logger.info({ recipientId: r.id }, 'broadcast send proven by its status webhook');
          } else if (b.status === 'cancelled') {
            await markRecipientCancelled(tx, r.id, now);
            await releaseReserved(tx, deps.licences, b, 1);
          } else if (current.attempts >= MAX_ATTEMPTS) {
            // Tried as often as a failing send is: no more tries on a send that may have gone out. It
            // shows failed, is not retried, and keeps the message reserved for it (it may have gone).
            await markUnprovenFailed(tx, r.id, now, `No answer from WhatsApp after ${current.attempts} attempts; it may have been delivered.`);
            logger.warn({ recipientId: r.id }, 'broadcast send unanswered after its last attempt; failed');
          } else {
            await requeueUnproven(tx, r.id);
            logger.warn({ recipientId: r.id }, 'broadcast send unanswered and unseen by webhooks; queued again');
          }
          // Its counts moved (sent, cancelled, failed or queued again): the broadcast's page reads them again.
          await publish(tx, { accountId: b.account_id, type: 'broadcast.updated', broadcastId: b.id }, deps);
        })
        .catch((err: unknown) => logger.error({ err, recipientId: r.id }, 'broadcast send could not be reconciled now'));
    }
    return stale.length;
  }

  /** Pauses a broadcast whose recent sends mostly fail (a bad template, a blocked number): sending on would burn quality. */
  async function spiked(b: BroadcastRow): Promise<boolean> {
    const { failed: failedCount, total } = await recentOutcomes(db, b.id, SPIKE_WINDOW);
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
    // Only the lease's holder counts the day's sends and sends; renewed before a claim once half of it is gone.
    if (!(await lease(number.id))) return 0;
    const sentToday = await sentOnNumberSince(db, number.id, new Date(clock.now().getTime() - DAY_MS));
    let room = Math.min(deps.batch, Number(number.daily_limit) - sentToday);
    let worked = 0;
    const token = deps.numbers.token(number);
    for (const b of broadcasts) {
      if (room <= 0) break;
      // Renewed before a claim once half of it is gone (the day's count or the last claim's sends took
      // long): the sends that follow start under it.
      if (!leased(number.id, leaseMs / 2) && !(await lease(number.id))) break;
      // The opt-out is read in the claim itself (SPEC §6): a customer who opted out since launch, in
      // any chat of the account, is excluded here and the message reserved for them goes back.
      const claimed = await db.transaction(async (tx) => {
        const rows = await claimDueRecipients(tx, { broadcastId: b.id, holder, now: clock.now(), numberId: number.id, limit: room });
        await releaseReserved(tx, deps.licences, b, rows.filter((r) => r.state === 'excluded').length);
        return rows;
      });
      if (!claimed.length) continue;
      const sending = claimed.filter((r) => r.state === 'sending');
      room -= sending.length;
      const outcomes = await Promise.all(sending.map((r) => sendOne(b, number, token, r)));
      // Sends not made (the lease ran out) are not work done: the loop waits before trying again.
      worked += claimed.length - outcomes.filter((o) => o === 'untried').length;
      await publish(db, { accountId: b.account_id, type: 'broadcast.updated', broadcastId: b.id }, deps);
      deps.onNoteQueued?.();
    }
    return worked;
  }

  async function finishDone() {
    const done = await completeFinished(db, clock.now());
    for (const b of done) await publish(db, { accountId: b.account_id, type: 'broadcast.updated', broadcastId: b.id }, deps);
  }

  /** One round of work: scheduled broadcasts start, stale sends are reconciled, running ones send. Returns how many sends it tried. */
  async function tick(): Promise<number> {
    const now = clock.now();
    const started = await startScheduled(db, now);
    for (const b of started) await publish(db, { accountId: b.account_id, type: 'broadcast.updated', broadcastId: b.id }, deps);
    await reconcile();
    const running = await runningBroadcasts(db);
    const ready: BroadcastRow[] = [];
    for (const b of running) if (await mayRun(b, zoneOf(b.timezone))) ready.push(b);
    const byNumber = new Map<string, BroadcastRow[]>();
    for (const b of ready) for (const id of b.number_ids) byNumber.set(id, [...(byNumber.get(id) ?? []), b]);
    const numbers = byNumber.size ? await numbersByIds(db, [...byNumber.keys()]) : [];
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
