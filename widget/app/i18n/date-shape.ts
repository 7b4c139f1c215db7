/**
 * How a language writes a moment with Intl's medium date and short time ("Dec 1, 2026, 5:53 AM",
 * "1 дек. 2026 г., 05:53"), learnt from an Intl formatter and written again without one. Building a
 * page's first Intl formatter loads ICU's data, tens of milliseconds on the thread that draws the
 * chat; a shape learnt on an earlier page (learn-date-shape.ts) writes the same words for a few
 * string joins (docs/decisions/041).
 */

export type Part = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'dayPeriod';
export const PARTS: readonly string[] = ['year', 'month', 'day', 'hour', 'minute', 'dayPeriod'] satisfies Part[];
export const CYCLES: readonly string[] = ['h11', 'h12', 'h23', 'h24'];

export interface DateShape {
  /** The formatted string in order: a part of the moment by its name, or words as they are. */
  pieces: ({ part: Part } | { literal: string })[];
  /** Each month's name as it stands in this pattern (some languages decline it). */
  months: string[];
  /** The words for before and after noon, where the hour is on a 12-hour clock. */
  periods: [string, string] | null;
  hourCycle: 'h11' | 'h12' | 'h23' | 'h24';
  twoDigitHour: boolean;
  twoDigitDay: boolean;
}

const pad = (n: number) => String(n).padStart(2, '0');

function hourOf(shape: DateShape, hours: number): number {
  if (shape.hourCycle === 'h12') return hours % 12 || 12;
  if (shape.hourCycle === 'h11') return hours % 12;
  if (shape.hourCycle === 'h24') return hours || 24;
  return hours;
}

/** The moment in the browser's time zone, as the shape's formatter wrote it. */
export function writeDate(shape: DateShape, date: Date): string {
  let out = '';
  for (const piece of shape.pieces) {
    if (!('part' in piece)) {
      out += piece.literal;
      continue;
    }
    switch (piece.part) {
      case 'year':
        out += date.getFullYear();
        break;
      case 'month':
        out += shape.months[date.getMonth()];
        break;
      case 'day':
        out += shape.twoDigitDay ? pad(date.getDate()) : date.getDate();
        break;
      case 'hour': {
        const hour = hourOf(shape, date.getHours());
        out += shape.twoDigitHour ? pad(hour) : hour;
        break;
      }
      case 'minute':
        out += pad(date.getMinutes());
        break;
      case 'dayPeriod':
        out += shape.periods?.[date.getHours() < 12 ? 0 : 1] ?? '';
        break;
    }
  }
  return out;
}

/** A shape read back from storage, or null for anything else (an older build's, or a damaged one). */
export function asShape(value: unknown): DateShape | null {
  const s = (value ?? {}) as DateShape;
  const distinct = (xs: string[]) => xs.every(Boolean) && new Set(xs).size === xs.length;
  const words = (xs: unknown, n: number) => Array.isArray(xs) && xs.length === n && xs.every((x) => typeof x === 'string');
  const parts: string[] = [];
  const pieces =
    Array.isArray(s.pieces) &&
    s.pieces.every((p: unknown) => {
      if (typeof p !== 'object' || p === null) return false;
      if (!('part' in p)) return typeof (p as { literal?: unknown }).literal === 'string';
      parts.push(String(p.part));
      return typeof p.part === 'string' && PARTS.includes(p.part);
    });
  const ok =
    pieces &&
    // Each part once; all of them (PARTS ends with the day period), the day period exactly where its words are.
    new Set(parts).size === parts.length &&
    PARTS.slice(0, 5).every((p) => parts.includes(p)) &&
    (s.periods === null ? !parts.includes('dayPeriod') : words(s.periods, 2) && parts.includes('dayPeriod')) &&
    words(s.months, 12) &&
    typeof s.hourCycle === 'string' &&
    CYCLES.includes(s.hourCycle) &&
    // A 12-hour clock with its two words for the day's halves, a 24-hour one without; names that tell apart.
    (s.hourCycle === 'h11' || s.hourCycle === 'h12') === (s.periods !== null) &&
    distinct(s.months) &&
    (s.periods === null || distinct(s.periods)) &&
    typeof s.twoDigitHour === 'boolean' &&
    typeof s.twoDigitDay === 'boolean';
  return ok ? s : null;
}
