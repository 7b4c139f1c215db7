import { DAY_MS } from '../clock';

/**
 * SPEC §4.2, inactivity. An account with no paid licence in force and no use at all (a sign-in, a
 * message in or out, a payment) is warned in the widget from day 76, suspended on day 90 (its
 * WhatsApp numbers disconnected, their tokens deleted) and purged on day 180 as after uninstall.
 * Days are whole 24-hour days since the last use: last used 1 March 10:00 → day 76 begins
 * 16 May 10:00, day 90 on 30 May 10:00, day 180 on 28 August 10:00. Any use starts again at day 0.
 */
export const INACTIVITY = { warnFromDay: 76, suspendOnDay: 90, purgeOnDay: 180 } as const;

/** Whole days since the last use. */
export function daysUnused(lastUsedAt: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - lastUsedAt.getTime()) / DAY_MS));
}

/** The moment the account has been unused for `day` days: on or before it, the rule of that day applies. */
export function unusedSince(day: number, now: Date): Date {
  return new Date(now.getTime() - day * DAY_MS);
}

/** What the widget shows: days left before the suspension, from day 76; none with a paid licence in force or once suspended. */
export function suspensionWarning(input: { lastUsedAt: Date; now: Date; paidLicenceInForce: boolean }): { daysUnused: number; daysLeft: number } | null {
  if (input.paidLicenceInForce) return null;
  const days = daysUnused(input.lastUsedAt, input.now);
  if (days < INACTIVITY.warnFromDay || days >= INACTIVITY.suspendOnDay) return null;
  return { daysUnused: days, daysLeft: INACTIVITY.suspendOnDay - days };
}
