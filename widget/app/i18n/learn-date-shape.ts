import { CYCLES, PARTS, writeDate, type DateShape, type Part } from './date-shape';

// Learning a shape is done once per browser and language, on the first page that shows its dates:
// a chunk of its own, not carried by every card.

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
