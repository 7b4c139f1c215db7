import { DateTime } from 'luxon';

/**
 * SPEC §4.4, all date arithmetic in the account's time zone. "The 10th calendar day after the
 * payment date": paid on 1 November (any hour) → claims until 11 November 23:59:59 local.
 */
export const RULE_DAYS = 10;

/** The first instant after the window: 00:00 local on the 11th calendar day after the payment date. */
export function windowClosesAt(paidAt: Date, zone: string): Date {
  return DateTime.fromJSDate(paidAt, { zone })
    .startOf('day')
    .plus({ days: RULE_DAYS + 1 })
    .toJSDate();
}

/** The last local calendar day of the window, as YYYY-MM-DD. */
export function lastWindowDay(paidAt: Date, zone: string): string {
  return DateTime.fromJSDate(paidAt, { zone }).startOf('day').plus({ days: RULE_DAYS }).toISODate()!;
}

/** A claim about the scope of the rights granted may be filed until the window closes. */
export function claimWindowOpen(paidAt: Date, zone: string, now: Date): boolean {
  return now < windowClosesAt(paidAt, zone);
}

/** A paid licence not activated within the 10 days may be terminated with the whole amount back. */
export function delayRefundAvailable(input: { paidAt: Date; activatedAt: Date | null; zone: string; now: Date }): boolean {
  return input.activatedAt === null && input.now >= windowClosesAt(input.paidAt, input.zone);
}
