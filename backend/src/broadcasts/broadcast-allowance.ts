import type { LicenceService } from '../licensing/licence-service';
import type { PriceList } from '../licensing/plans';
import type { Queryable } from '../store/db';
import { recipientCount, reservedPeriodOf, setReservedPeriod, type BroadcastRow } from './broadcast-store';

/**
 * A broadcast reserves its messages from the allowance in force at launch, and its row names that
 * period (`reserved_period_id`). When a new period (a new allowance) has begun since, the reservation
 * for what is left moves: taken from the new allowance, given back to the old one; refused when the
 * new allowance cannot hold it.
 */
export async function reserveAgainIfNewPeriod(tx: Queryable, licences: LicenceService, b: Pick<BroadcastRow, 'id' | 'account_id'>): Promise<void> {
  const allowance = await licences.allowance(b.account_id, tx);
  const reserved = await reservedPeriodOf(tx, b.id);
  if (!allowance || reserved === undefined || allowance.periodId === reserved) return;
  const left = await recipientCount(tx, b.id, ['queued', 'sending']);
  if (left > 0) {
    await licences.takeOutbound(b.account_id, left, tx);
    if (reserved) await licences.returnOutbound(b.account_id, left, tx, reserved);
  }
  await setReservedPeriod(tx, b.id, allowance.periodId);
}

/** Gives back messages reserved for recipients that will not be sent, to the period the broadcast reserved them from. */
export async function releaseReserved(tx: Queryable, licences: LicenceService, b: Pick<BroadcastRow, 'id' | 'account_id'>, count: number): Promise<void> {
  if (count <= 0) return;
  await licences.returnOutbound(b.account_id, count, tx, (await reservedPeriodOf(tx, b.id)) ?? null);
}

/**
 * Counts again a message given back (at `returnedAt`, when its recipient was cancelled) for a recipient
 * whose send Meta then proved went out: where it was given back to, the period the broadcast reserved from.
 */
export async function chargeReturned(tx: Queryable, licences: LicenceService, b: Pick<BroadcastRow, 'id' | 'account_id'>, returnedAt: Date): Promise<void> {
  await licences.chargeSentAfterReturn(b.account_id, 1, tx, (await reservedPeriodOf(tx, b.id)) ?? null, returnedAt);
}

/** How many recipients the account may still reach now: the allowance left, and the demo's cap per broadcast. */
export async function capacity(
  licences: LicenceService,
  prices: PriceList,
  accountId: string,
  q?: Queryable,
): Promise<{ left: number; cap: number; periodId: string | null }> {
  const allowance = await licences.allowance(accountId, q);
  const left = allowance?.left ?? 0;
  const cap = allowance?.plan === 'demo' ? Math.min(left, prices.demo.broadcastRecipients) : left;
  return { left, cap, periodId: allowance?.periodId ?? null };
}
