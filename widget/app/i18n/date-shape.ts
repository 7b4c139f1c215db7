/**
 * How a language writes a moment with Intl's medium date and short time ("Dec 1, 2026, 5:53 AM",
 * "1 дек. 2026 г., 05:53"), learnt from an Intl formatter and written again without one. Building a
 * page's first Intl formatter loads ICU's data, tens of milliseconds on the thread that draws the
 * chat; a shape learnt on an earlier page writes the same words for a few string joins
 * (docs/decisions/041).
 */

type Part = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'dayPeriod';
const PARTS: readonly string[] = ['year', 'month', 'day', 'hour', 'minute', 'dayPeriod'] satisfies Part[];
const CYCLES: readonly string[] = ['h11', 'h12', 'h23', 'h24'];

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
    if ('literal' in piece) {
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

/** Moments whose writing a learnt shape must match exactly: every month, every hour, both ends of a day and a month. */
function samples(): Date[] {
  const dates = [new Date(2000, 0, 1, 0, 0), new Date(2000, 11, 31, 23, 59), new Date(2026, 5, 30, 12, 0), new Date(1999, 1, 28, 12, 30)];
  for (let i = 0; i < 48; i++) dates.push(new Date(1995 + i, i % 12, 1 + ((i * 5) % 28), i % 24, (i * 7) % 60));
  return dates;
}

/**
 * The shape of a formatter made with `{ dateStyle: 'medium', timeStyle: 'short' }` in the browser's
 * time zone, or null where it writes anything a shape cannot (another calendar or digits, a weekday,
 * words that change with the hour) or does not write every sample as the formatter does.
 */
export function learnShape(format: Intl.DateTimeFormat): DateShape | null {
  const options = format.resolvedOptions();
  if (options.calendar !== 'gregory' || options.numberingSystem !== 'latn') return null;
  const partOf = (date: Date, type: Part) => format.formatToParts(date).find((p) => p.type === type)?.value ?? '';
  const early = new Date(2001, 0, 1, 1, 5);
  // The words between the parts are read from `format`'s own string: it writes some spaces otherwise
  // than `formatToParts` does (V8 writes U+202F before "AM" as a plain space there, for the web's sake).
  const text = format.format(early);
  const pieces: DateShape['pieces'] = [];
  let at = 0;
  for (const p of format.formatToParts(early)) {
    if (p.type === 'literal') continue;
    const found = text.indexOf(p.value, at);
    if (!PARTS.includes(p.type) || found < 0) return null;
    if (found > at) pieces.push({ literal: text.slice(at, found) });
    pieces.push({ part: p.type as Part });
    at = found + p.value.length;
  }
  if (at < text.length) pieces.push({ literal: text.slice(at) });
  const hasPeriod = pieces.some((p) => 'part' in p && p.part === 'dayPeriod');
  const hourCycle = options.hourCycle ?? (hasPeriod ? 'h12' : 'h23');
  if (!CYCLES.includes(hourCycle)) return null;
  const shape: DateShape = {
    pieces,
    months: Array.from({ length: 12 }, (_, m) => partOf(new Date(2001, m, 15, 13, 5), 'month')),
    periods: hasPeriod ? [partOf(early, 'dayPeriod'), partOf(new Date(2001, 0, 1, 13, 5), 'dayPeriod')] : null,
    hourCycle,
    twoDigitHour: partOf(early, 'hour').length === 2,
    twoDigitDay: partOf(early, 'day').length === 2,
  };
  return samples().every((d) => writeDate(shape, d) === format.format(d)) ? shape : null;
}

/** A shape read back from storage, or null for anything else (an older build's, or a damaged one). */
export function asShape(value: unknown): DateShape | null {
  const s = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const strings = (xs: unknown, n: number) => Array.isArray(xs) && xs.length === n && xs.every((x) => typeof x === 'string');
  const piece = (p: unknown) => {
    const keys = typeof p === 'object' && p !== null ? Object.entries(p) : [];
    const [key, v] = keys[0] ?? [];
    return keys.length === 1 && ((key === 'literal' && typeof v === 'string') || (key === 'part' && PARTS.includes(String(v))));
  };
  const ok =
    Array.isArray(s.pieces) &&
    s.pieces.every(piece) &&
    strings(s.months, 12) &&
    (s.periods === null || strings(s.periods, 2)) &&
    CYCLES.includes(String(s.hourCycle)) &&
    typeof s.twoDigitHour === 'boolean' &&
    typeof s.twoDigitDay === 'boolean';
  return ok ? (s as unknown as DateShape) : null;
}
