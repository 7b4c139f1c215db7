import type { Logger } from 'pino';
import type { BroadcastView, CreateBroadcastInput } from '../../../contract/broadcasts';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { AppError, notFound } from '../http/app-error';
import type { IdGenerator } from '../ids';
import { findAccount } from '../kommo/account-store';
import type { LicenceService } from '../licensing/licence-service';
import type { PriceList } from '../licensing/plans';
import { publish } from '../live/live-events';
import type { Db, Queryable } from '../store/db';
import type { AudienceReader } from './audience';
import { capacity, releaseReserved, reserveAgainIfNewPeriod } from './broadcast-allowance';
import { checkDraft } from './broadcast-draft';
import { fillRecipients, phonePages } from './broadcast-recipients';
import {
  applyExclusions,
  cancelQueued,
  deleteBroadcast,
  findBroadcast,
  findTemplate,
  insertBroadcast,
  insertSavedAudience,
  markCancelled,
  markLaunched,
  markPausedByUser,
  markResumed,
  markRunningAgain,
  recipientCount,
  requeueRetryable,
  setStats,
  type BroadcastRow,
} from './broadcast-store';
import type { BroadcastViews } from './broadcast-views';

/** The account's broadcast, or 404: another account's is not found either. */
export async function ownBroadcast(q: Queryable, accountId: string, id: string, lock = false): Promise<BroadcastRow> {
  const b = await findBroadcast(q, accountId, id, lock);
  if (!b) throw notFound('No such broadcast in this account.');
  return b;
}

/** Running now, or scheduled when its time is still ahead. */
const runningOrScheduled = (b: BroadcastRow, now: Date) => (b.scheduled_at && new Date(b.scheduled_at) > now ? 'scheduled' : 'running');

/** What a user does with broadcasts (SPEC §6): draft, launch, pause, resume, cancel, send failures again. Each answers with the broadcast as it is now. */
export function createBroadcastCommands(deps: {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  licences: LicenceService;
  audience: AudienceReader;
  prices: PriceList;
  forbiddenWords?: Record<string, string[]>;
  views: BroadcastViews;
}) {
  const { db, clock, licences, views } = deps;
  const capacityOf = (accountId: string, q?: Queryable) => capacity(licences, deps.prices, accountId, q);
  const viewNow = async (accountId: string, id: string, narrowTo: number | null) => views.view(await ownBroadcast(db, accountId, id), narrowTo);

  /** Changes one broadcast in one transaction, locked; the change is audited and streamed to the widgets. */
  async function change(
    accountId: string,
    userId: number,
    id: string,
    action: string,
    fn: (tx: Queryable, b: BroadcastRow) => Promise<Record<string, unknown> | void>,
  ): Promise<BroadcastView> {
    await db.transaction(async (tx) => {
      const b = await ownBroadcast(tx, accountId, id, true);
      const details = (await fn(tx, b)) ?? {};
      await recordAudit(tx, { accountId, actor: `user:${userId}`, action, details: { broadcastId: id, ...details }, at: clock.now() });
      await publish(tx, { accountId, type: 'broadcast.updated', broadcastId: id }, { clock, ids: deps.ids });
    });
    return viewNow(accountId, id, userId);
  }

  return {
    /** A draft with its recipients read from Kommo and its dry run; nothing is sent until launch. */
    async create(accountId: string, userId: number, input: CreateBroadcastInput, narrowTo: number | null): Promise<BroadcastView> {
      await licences.require(accountId, 'broadcasts');
      const draft = await checkDraft(db, accountId, input, { forbiddenWords: deps.forbiddenWords, now: clock.now() });
      const { source, ids, template } = draft;
      const at = clock.now();
      const id = deps.ids();
      await db.transaction(async (tx) => {
        if (input.saveAudienceAs && source !== 'phones')
          await insertSavedAudience(tx, { id: deps.ids(), accountId, name: input.saveAudienceAs, source, ids, at });
        await insertBroadcast(tx, {
          id,
          account_id: accountId,
          name: input.name,
          created_by: userId,
          audience:
            'savedAudienceId' in input.audience ? input.audience : { source, count: 'phones' in input.audience ? input.audience.phones.length : ids.length },
          consent_source: input.consentSource,
          template_name: template.name,
          template_language: template.language,
          template_body: template.body_text,
          waba_id: draft.wabaId,
          parameters: input.parameters,
          header_media: draft.mediaHeader ? { link: input.headerMediaUrl!, format: draft.mediaHeader } : null,
          unsubscribe: draft.unsubscribe.kind,
          unsubscribe_button_index: draft.unsubscribe.kind === 'button' ? draft.unsubscribe.index : null,
          number_ids: input.numberIds,
          scheduled_at: draft.scheduledAt,
          quiet_hours: input.quietHours ?? null,
          created_at: at,
        });
        await recordAudit(tx, {
          accountId,
          actor: `user:${userId}`,
          action: 'broadcast.created',
          details: { broadcastId: id, consentSource: input.consentSource, consentNote: input.consentNote ?? null },
          at,
        });
      });
      try {
        const b = await ownBroadcast(db, accountId, id);
        const country = (await findAccount(db, accountId))?.country ?? undefined;
        const pages = 'phones' in input.audience ? phonePages(input.audience.phones) : deps.audience.read(accountId, source as 'leads' | 'contacts', ids);
        const selected = 'phones' in input.audience ? input.audience.phones.length : ids.length;
        await setStats(db, id, await fillRecipients(db, deps, b, pages, selected, country));
        await applyExclusions(db, id, (await capacityOf(accountId)).cap);
      } catch (err) {
        // A draft whose audience could not be read is of no use: it goes, and the user tries again.
        await deleteBroadcast(db, id);
        throw err;
      }
      return viewNow(accountId, id, narrowTo);
    },

    /**
     * Freezes the recipients and reserves their messages from the allowance, in one transaction; the
     * engine picks the broadcast up at its time. `expectedRecipients` guards against launching
     * numbers other than those the user saw.
     */
    async launch(accountId: string, userId: number, id: string, expectedRecipients?: number): Promise<BroadcastView> {
      await licences.require(accountId, 'broadcasts');
      const { cap, periodId } = await capacityOf(accountId);
      return change(accountId, userId, id, 'broadcast.launched', async (tx, b) => {
        if (b.status !== 'draft') throw new AppError('broadcast_not_draft', `This broadcast is ${b.status}; only a draft can be launched.`, 409);
        await applyExclusions(tx, id, cap);
        const recipients = await recipientCount(tx, id, ['queued']);
        if (expectedRecipients !== undefined && expectedRecipients !== recipients) {
          throw new AppError(
            'dry_run_changed',
            `The audience changed since the dry run: ${recipients} recipients now, ${expectedRecipients} shown. Review the new dry run and launch again.`,
            409,
          );
        }
        if (recipients === 0) throw new AppError('nothing_to_send', 'No recipient is left after the exclusions: there is nothing to send.', 422);
        await licences.takeOutbound(accountId, recipients, tx);
        const now = clock.now();
        await markLaunched(tx, id, runningOrScheduled(b, now), now, periodId);
        return { recipients };
      });
    },

    pause: (accountId: string, userId: number, id: string): Promise<BroadcastView> =>
      change(accountId, userId, id, 'broadcast.paused', async (tx, b) => {
        if (b.status !== 'running' && b.status !== 'scheduled')
          throw new AppError('broadcast_not_running', `This broadcast is ${b.status}; only a running or scheduled one can be paused.`, 409);
        await markPausedByUser(tx, id, clock.now());
      }),

    /** Runs again once its template is approved; a reservation made in an earlier period moves to the allowance in force. */
    async resume(accountId: string, userId: number, id: string): Promise<BroadcastView> {
      await licences.require(accountId, 'broadcasts');
      return change(accountId, userId, id, 'broadcast.resumed', async (tx, b) => {
        if (b.status !== 'paused') throw new AppError('broadcast_not_paused', `This broadcast is ${b.status}; only a paused one can be resumed.`, 409);
        const t = await findTemplate(tx, accountId, b.waba_id, b.template_name, b.template_language);
        if (t?.status !== 'APPROVED')
          throw new AppError(
            'template_not_approved',
            `The template “${b.template_name}” is ${(t?.status ?? 'gone').toLowerCase()} at Meta; resume when it is approved again.`,
            409,
          );
        await reserveAgainIfNewPeriod(tx, licences, b);
        const now = clock.now();
        await markResumed(tx, id, runningOrScheduled(b, now), now);
      });
    },

    /** Stops for good: recipients not yet sent are cancelled and their messages go back to the allowance. */
    cancel: (accountId: string, userId: number, id: string): Promise<BroadcastView> =>
      change(accountId, userId, id, 'broadcast.cancelled', async (tx, b) => {
        if (b.status === 'completed' || b.status === 'cancelled') throw new AppError('broadcast_finished', `This broadcast is already ${b.status}.`, 409);
        const cancelled = await cancelQueued(tx, id, clock.now());
        if (b.status !== 'draft') await releaseReserved(tx, licences, b, cancelled);
        await markCancelled(tx, id, clock.now());
        return { recipients: cancelled };
      }),

    /** Sends again to recipients whose failure may pass (rate limits, transient errors); final failures stay failed. */
    async retryFailed(accountId: string, userId: number, id: string): Promise<BroadcastView> {
      await licences.require(accountId, 'broadcasts');
      return change(accountId, userId, id, 'broadcast.retry_failed', async (tx, b) => {
        if (b.status === 'draft' || b.status === 'cancelled')
          throw new AppError('broadcast_not_started', `This broadcast is ${b.status}; there is nothing to retry.`, 409);
        const retryable = await recipientCount(tx, id, ['failed'], { retryable: true });
        if (!retryable) throw new AppError('nothing_to_retry', 'No failed recipient of this broadcast can be retried: the failures left are final.', 409);
        // The reservation lives in one period: what is still queued moves to the allowance in force before more is taken from it.
        await reserveAgainIfNewPeriod(tx, licences, b);
        await licences.takeOutbound(accountId, retryable, tx);
        await requeueRetryable(tx, id);
        if (b.status === 'completed') await markRunningAgain(tx, id, clock.now());
        return { recipients: retryable };
      });
    },

    viewNow,
  };
}
export type BroadcastCommands = ReturnType<typeof createBroadcastCommands>;
