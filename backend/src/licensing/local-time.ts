import { DateTime } from 'luxon';
import { DAY_MS } from '../clock';

/** The account's zone when Kommo told us a valid one, else UTC. */
export function zoneOf(timezone: string | null | undefined): string {
  return timezone && DateTime.local().setZone(timezone).isValid ? timezone : 'UTC';
}

/** 00:00 in `zone` on the local day that contains `at`. */
export function startOfLocalDay(at: Date, zone: string): Date {
  return DateTime.fromJSDate(at, { zone }).startOf('day').toJSDate();
}

/** Whole days left from `now` to `end` (a part day does not count). */
export function wholeDaysBetween(now: Date, end: Date): number {
  return Math.max(0, Math.floor((end.getTime() - now.getTime()) / DAY_MS));
}
