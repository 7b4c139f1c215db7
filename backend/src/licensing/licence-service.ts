import type { Logger } from 'pino';
import { DAY_MS, type Clock } from '../clock';
import { AppError, badRequest } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { AccountRow } from '../kommo/account-store';
import type { Db, Queryable } from '../store/db';
import { CAPABILITIES, decide, type Capability, type Decision } from './capabilities';
import { suspensionWarning } from './inactivity';
import { isFullKommoPlan, normaliseKommoPlan } from './kommo-plan';
import { canApply, currentPeriod, licenceState, type LicenceState, type PeriodRow } from './licence-state';
import {
  accountsLicensedDuring,
  claimDemo,
  creditOutage,
  endPeriodsOfOrder,
  chargeMessages,
  giveBackMessages,
  insertOutage,
  insertPeriod,
  listPeriods,
  movePeriod,
  readLicence,
  takeMessages,
} from './licence-store';
import { startOfLocalDay, wholeDaysBetween, zoneOf } from './local-time';
import { planLimits, type Currency, type PaidPlanId, type PlanId, type PriceList } from './plans';

export interface LicenceSnapshot {
  account: AccountRow;
  periods: PeriodRow[];
  state: LicenceState;
  current?: PeriodRow;
  zone: string;
  now: Date;
}

/** HTTP status per refusal: a licence matter is 402 (renew or pay), the rest 403. */
const STATUS: Record<string, number> = { licence_expired: 402, allowance_exhausted: 402 };

export function createLicenceService(deps: { db: Db; clock: Clock; ids: IdGenerator; prices: PriceList; logger: Logger }) {
  const { db, clock, ids, prices } = deps;

  async function snapshot(accountId: string, q: Queryable = db): Promise<LicenceSnapshot> {
    const read = await readLicence(q, accountId);
    if (!read) throw new AppError('not_found', 'No such account.', 404);
    return snapshotOf(read.account, read.periods);
  }

  /** The licence as of now, from an account and its periods already read (the send path reads them with the rest). */
  function snapshotOf(account: AccountRow, periods: PeriodRow[]): LicenceSnapshot {
    const now = clock.now();
    return { account, periods, state: licenceState(account, periods, now), current: currentPeriod(periods, now), zone: zoneOf(account.timezone), now };
  }

  function decisionFor(s: LicenceSnapshot, capability: Capability): Decision {
    const last = s.periods.at(-1);
    return decide({ state: s.state, kommoPlan: s.account.kommo_plan_name, endedAt: last ? new Date(last.ends_at) : undefined }, capability);
  }

  function refuse(decision: Decision): never {
    if (decision.allowed) throw new Error('refuse() called for an allowed decision');
    throw new AppError(decision.code, decision.message, STATUS[decision.code] ?? 403);
  }

  function price(plan: PlanId, currency: Currency): number {
    return plan === 'demo' ? 0 : prices.plans[plan].prices[currency];
  }

  async function addPeriod(
    q: Queryable,
    s: LicenceSnapshot,
    plan: PlanId,
    startsAt: Date,
    endsAt: Date,
    extra: { orderId?: string; upgradedFrom?: string } = {},
  ) {
    const limits = planLimits(prices, plan);
    const id = ids();
    await insertPeriod(q, {
      id,
      accountId: s.account.id,
      plan,
      startsAt,
      endsAt,
      allowanceStartsAt: startOfLocalDay(startsAt, s.zone),
      messageLimit: limits.messages,
      numberLimit: limits.numbers,
      ...extra,
      at: s.now,
    });
    return id;
  }

  /** Moves every period that starts at or after `from` later by `shiftMs`, keeping allowance starts at local midnight. */
  async function shiftLater(q: Queryable, s: LicenceSnapshot, from: Date, shiftMs: number, except?: string) {
    for (const p of s.periods) {
      if (p.id === except || p.starts_at < from) continue;
      const startsAt = new Date(p.starts_at.getTime() + shiftMs);
      await movePeriod(q, p.id, startsAt, new Date(p.ends_at.getTime() + shiftMs), startOfLocalDay(startsAt, s.zone));
    }
  }

  /** The refusal of a send the allowance no longer covers: its limit, and when it resets (read afresh). */
  async function exhausted(accountId: string): Promise<AppError> {
    const fresh = await snapshot(accountId);
    const window = allowanceWindow(fresh);
    const plan = window?.plan === 'demo' ? 'Demo' : (window?.plan ?? '').toUpperCase();
    const reset = window ? nextReset(fresh, window) : undefined;
    const when = reset
      ? `It resets at ${formatLocal(reset, fresh.zone)} (${fresh.zone}).`
      : 'It resets when the next period begins: renew or upgrade to send again.';
    return new AppError(
      'allowance_exhausted',
      `This account has used all ${window?.message_limit ?? 0} outbound messages of its ${plan} period. ${when} An admin can upgrade the plan now.`,
      402,
    );
  }

  const service = {
    snapshot,
    snapshotOf,
    decisionFor,
    refuse,
    exhausted,

    /** May the account use the capability now? Throws the refusal (SPEC §8 shape) when not. */
    async require(accountId: string, capability: Capability): Promise<void> {
      const decision = decisionFor(await snapshot(accountId), capability);
      if (!decision.allowed) refuse(decision);
    },

    /** On install: the demo starts, once per Kommo account. Runs in the install transaction. */
    async startDemoIfFirst(tx: Queryable, accountId: string, kommoAccountId: number): Promise<boolean> {
      const at = clock.now();
      if (!(await claimDemo(tx, kommoAccountId, at))) return false;
      const s = await snapshot(accountId, tx);
      await addPeriod(tx, s, 'demo', at, new Date(at.getTime() + prices.demo.days * DAY_MS));
      return true;
    },

    /**
     * Takes `count` outbound messages from the allowance, or refuses naming the limit and the reset.
     * Every send path calls this once per message it sends.
     */
    async takeOutbound(accountId: string, count = 1, q: Queryable = db): Promise<{ used: number; limit: number }> {
      const s = await snapshot(accountId, q);
      const decision = decisionFor(s, 'outbound');
      if (!decision.allowed) refuse(decision);
      const taken = await takeMessages(q, accountId, count, s.now);
      if (taken) return taken;
      throw await exhausted(accountId);
    },

    /**
     * Returns messages taken for sends that never went out (refused outright, cancelled, excluded): to
     * `periodId`, the period they were reserved from, when given; else to the allowance in force.
     */
    async returnOutbound(accountId: string, count = 1, q: Queryable = db, periodId: string | null = null): Promise<void> {
      await giveBackMessages(q, accountId, count, clock.now(), periodId);
    },

    /**
     * Counts again messages given back for sends that Meta then proved went out (a broadcast cancelled
     * while its send was on its way): to `periodId`, else to the allowance that was in force when they
     * were given back; never refused, even past the limit, because they were sent.
     */
    async chargeSentAfterReturn(accountId: string, count: number, q: Queryable, periodId: string | null, returnedAt: Date): Promise<void> {
      await chargeMessages(q, accountId, count, returnedAt, periodId);
    },

    /** The allowance in force: its period, and how many messages are left in it. */
    async allowance(accountId: string, q: Queryable = db): Promise<{ periodId: string; left: number; plan: string } | null> {
      const s = await snapshot(accountId, q);
      const window = allowanceWindow(s);
      return window ? { periodId: window.id, left: Math.max(0, window.message_limit - window.messages_used), plan: window.plan } : null;
    },

    /** The number of WhatsApp numbers the plan in force allows. */
    async numberLimit(accountId: string): Promise<number> {
      const s = await snapshot(accountId);
      return s.current?.number_limit ?? 0;
    },

    /** Called by payments when an order is paid in full: a new period (or a renewal queued after the running one). */
    async grantPeriod(accountId: string, plan: PaidPlanId, options: { orderId?: string } = {}, outer?: Queryable): Promise<PeriodRow> {
      return within(outer, async (tx) => {
        const s = await snapshot(accountId, tx);
        if (!canApply('grant_period', s.state))
          throw new AppError('licence_unavailable', `A licence cannot be granted while the account is ${s.state.replace('_', ' ')}.`, 409);
        const lastPaid = [...s.periods].reverse().find((p) => p.plan !== 'demo');
        let startsAt = s.now;
        if (lastPaid && lastPaid.ends_at > s.now) startsAt = lastPaid.ends_at;
        // A paid period replaces a running demo at once.
        if (s.current?.plan === 'demo' && startsAt.getTime() === s.now.getTime()) {
          await movePeriod(tx, s.current.id, s.current.starts_at, s.now, s.current.allowance_starts_at);
        }
        const id = await addPeriod(tx, s, plan, startsAt, new Date(startsAt.getTime() + prices.periodDays * DAY_MS), options);
        return (await listPeriods(tx, accountId)).find((p) => p.id === id)!;
      });
    },

    /** What an upgrade to `plan` costs now: its price less the unused value of the period in force, by whole days left. */
    async upgradeQuote(accountId: string, plan: PaidPlanId, currency: Currency, q: Queryable = db) {
      const s = await snapshot(accountId, q);
      return quote(s, plan, currency);
    },

    /** Called by payments once an upgrade is paid: the new plan takes effect at once for a full period. */
    async applyUpgrade(accountId: string, plan: PaidPlanId, currency: Currency, options: { orderId?: string } = {}, outer?: Queryable) {
      return within(outer, async (tx) => {
        const s = await snapshot(accountId, tx);
        const q = quote(s, plan, currency);
        const current = s.current!;
        await movePeriod(tx, current.id, current.starts_at, s.now, current.allowance_starts_at);
        const endsAt = new Date(s.now.getTime() + prices.periodDays * DAY_MS);
        // Renewals already bought move back so that they still follow on.
        await shiftLater(tx, s, current.ends_at, endsAt.getTime() - current.ends_at.getTime(), current.id);
        const id = await addPeriod(tx, s, plan, s.now, endsAt, { ...options, upgradedFrom: current.plan });
        return { ...q, periodId: id };
      });
    },

    /** The operator records an outage: every licence in force during it is extended by its length in whole days, rounded up. */
    async recordOutage(input: { startsAt: Date; endsAt: Date; note?: string }) {
      if (input.endsAt <= input.startsAt) throw badRequest('invalid_outage', 'An outage must end after it starts.');
      const days = Math.ceil((input.endsAt.getTime() - input.startsAt.getTime()) / DAY_MS);
      const outageId = ids();
      return db.transaction(async (tx) => {
        await insertOutage(tx, { id: outageId, startsAt: input.startsAt, endsAt: input.endsAt, note: input.note ?? null, creditDays: days, at: clock.now() });
        const accounts = await accountsLicensedDuring(tx, input.startsAt, input.endsAt);
        for (const accountId of accounts) {
          const s = await snapshot(accountId, tx);
          const during = s.periods.filter((p) => p.starts_at < input.endsAt && p.ends_at > input.startsAt).at(-1)!;
          const shift = days * DAY_MS;
          await movePeriod(tx, during.id, during.starts_at, new Date(during.ends_at.getTime() + shift), during.allowance_starts_at);
          await shiftLater(tx, s, during.ends_at, shift, during.id);
          await creditOutage(tx, outageId, accountId, days);
        }
        return { id: outageId, creditDays: days, accounts: accounts.length };
      });
    },

    /** Extends the licence in force by whole days (an upheld claim); later periods move back. */
    async extend(accountId: string, days: number, outer?: Queryable) {
      return within(outer, async (tx) => {
        const s = await snapshot(accountId, tx);
        const target = s.current ?? s.periods.at(-1);
        if (!target) throw new AppError('no_licence', 'The account has no licence to extend.', 409);
        const shift = days * DAY_MS;
        await movePeriod(tx, target.id, target.starts_at, new Date(Math.max(target.ends_at.getTime(), s.now.getTime()) + shift), target.allowance_starts_at);
        await shiftLater(tx, s, target.ends_at, shift, target.id);
      });
    },

    /** Ends the periods an order paid for at once (a full refund takes the licence back). */
    async revokeOrder(orderId: string, outer?: Queryable) {
      return within(outer, async (tx) => {
        const now = clock.now();
        await endPeriodsOfOrder(tx, orderId, now);
      });
    },

    /** Everything the widget shows about the licence. */
    async status(accountId: string) {
      const s = await snapshot(accountId);
      const window = allowanceWindow(s);
      const tier = normaliseKommoPlan(s.account.kommo_plan_name);
      const daysLeft = s.current ? wholeDaysBetween(s.now, lastEnd(s, s.current)) : null;
      return {
        state: s.state,
        plan: s.current?.plan ?? null,
        timezone: s.zone,
        period: s.current ? { startsAt: s.current.starts_at.toISOString(), endsAt: lastEnd(s, s.current).toISOString(), daysLeft: daysLeft! } : null,
        // Reminders start 3 days before the licence (with any renewal already bought) runs out.
        reminderDaysLeft: daysLeft !== null && daysLeft <= 3 ? daysLeft : null,
        inactivity: suspensionWarning({
          lastUsedAt: new Date(s.account.last_used_at ?? s.account.installed_at),
          now: s.now,
          paidLicenceInForce: s.state === 'active',
        }),
        allowance: window ? { used: window.messages_used, limit: window.message_limit, resetsAt: nextReset(s, window)?.toISOString() ?? null } : null,
        numberLimit: s.current?.number_limit ?? 0,
        upcoming: s.periods
          .filter((p) => p.starts_at > s.now)
          .map((p) => ({ plan: p.plan, startsAt: p.starts_at.toISOString(), endsAt: p.ends_at.toISOString() })),
        kommoPlan: { name: s.account.kommo_plan_name, tier, full: isFullKommoPlan(tier) },
        capabilities: Object.fromEntries(CAPABILITIES.map((c) => [c, decisionFor(s, c)])) as Record<Capability, Decision>,
      };
    },
  };

  function within<T>(outer: Queryable | undefined, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return outer ? fn(outer) : db.transaction(fn);
  }

  function quote(s: LicenceSnapshot, plan: PaidPlanId, currency: Currency) {
    if (!canApply('apply_upgrade', s.state) || !s.current) {
      throw new AppError('upgrade_unavailable', 'An upgrade needs a paid licence in force; buy a plan instead.', 409);
    }
    const current = s.current;
    const newPrice = price(plan, currency);
    const currentPrice = price(current.plan, currency);
    if (newPrice <= currentPrice) {
      throw badRequest(
        'not_an_upgrade',
        `The ${plan.toUpperCase()} plan is not dearer than the current ${current.plan.toUpperCase()} plan; a downgrade takes effect at the next renewal.`,
      );
    }
    const remainingDays = Math.min(prices.periodDays, wholeDaysBetween(s.now, current.ends_at));
    const credit = Math.round((currentPrice * remainingDays) / prices.periodDays);
    return { plan, currency, fromPlan: current.plan, remainingDays, price: newPrice, credit, amount: newPrice - credit };
  }

  return service;
}
export type LicenceService = ReturnType<typeof createLicenceService>;

/** The period whose allowance counts at `now`: the newest whose allowance has begun and that has not ended. */
function allowanceWindow(s: LicenceSnapshot): PeriodRow | undefined {
  return [...s.periods].reverse().find((p) => p.allowance_starts_at <= s.now && p.ends_at > s.now);
}

/** When the allowance next resets: at the allowance start of the period that follows, if one is bought. */
function nextReset(s: LicenceSnapshot, window: PeriodRow): Date | undefined {
  return s.periods.find((p) => p.starts_at > window.starts_at && p.allowance_starts_at > s.now)?.allowance_starts_at;
}

/** The end of the chain of periods that follow on from `p` without a gap. */
function lastEnd(s: LicenceSnapshot, p: PeriodRow): Date {
  let end = p.ends_at;
  for (const next of s.periods) if (next.starts_at.getTime() === end.getTime()) end = next.ends_at;
  return end;
}

function formatLocal(at: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(at);
}
