import { asShape, writeDate, type DateShape } from './date-shape';

// Building an Intl formatter costs far more than using one (a chat of 200 messages built 200 of them):
// each is made once per language and options.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function formatter<F extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => F): F {
  let made = formatters.get(key) as F | undefined;
  if (!made) formatters.set(key, (made = make()));
  return made;
}

/** Money in minor units, as the user's locale writes it. */
export function formatMoney(cents: number, currency: string, language: string): string {
  return formatter(`money:${language}:${currency}`, () => new Intl.NumberFormat(language, { style: 'currency', currency })).format(cents / 100);
}

const dateFormatter = (language: string, timeZone: string | undefined, withTime: boolean) =>
  formatter(
    `date:${language}:${timeZone ?? ''}:${withTime}`,
    () => new Intl.DateTimeFormat(language, { dateStyle: 'medium', ...(withTime ? { timeStyle: 'short' } : {}), timeZone }),
  );

/** A date (`withTime`: and its time) in `timeZone` or the browser's, as the user's locale writes it. */
export function formatDate(iso: string, language: string, timeZone?: string, withTime = false): string {
  const shape = withTime && !timeZone ? knownShape(language) : null;
  return shape ? writeDate(shape, new Date(iso)) : dateFormatter(language, timeZone, withTime).format(new Date(iso));
}

// Each language's date-and-time shape, learnt by this browser on an earlier page (date-shape.ts).
// The browser is part of the key: another version may write dates otherwise.
const SHAPE_KEY = 'wabridge:date-shape:';
const shapes = new Map<string, DateShape | null>();
function knownShape(language: string): DateShape | null {
  if (!shapes.has(language)) {
    let stored: DateShape | null = null;
    try {
      const saved = JSON.parse(localStorage.getItem(SHAPE_KEY + language) ?? 'null') as { browser?: unknown; shape?: unknown } | null;
      if (saved?.browser === navigator.userAgent) stored = asShape(saved.shape);
    } catch {
      // No storage here (a browser that keeps none for frames), or a damaged entry: Intl writes the dates.
    }
    shapes.set(language, stored);
  }
  return shapes.get(language) ?? null;
}

/**
 * Readies the chat's dates before its first render. Where this browser has learnt the language's
 * shape, nothing is left to do; otherwise the Intl formatter is built in a task of its own while the
 * loader signs in, and its shape is learnt and kept for the next page.
 */
export function prepareDates(language: string): void {
  if (knownShape(language)) return;
  setTimeout(() => {
    const format = dateFormatter(language, undefined, true);
    void import(/* webpackChunkName: "date-shape" */ './learn-date-shape').then(
      ({ learnShape }) => {
        const shape = learnShape(format);
        if (!shape) return;
        shapes.set(language, shape);
        try {
          localStorage.setItem(SHAPE_KEY + language, JSON.stringify({ browser: navigator.userAgent, shape }));
        } catch {
          // Kept for this page only.
        }
      },
      () => undefined, // Not learnt this time: Intl writes the dates, and the next page tries again.
    );
  });
}

export function formatNumber(n: number, language: string): string {
  return formatter(`number:${language}`, () => new Intl.NumberFormat(language)).format(n);
}

/** A file's size as the user's locale writes it ("120 KB", "1,5 MB"). */
export function formatBytes(bytes: number, language: string): string {
  const [unit, value] =
    bytes >= 1024 * 1024 ? (['megabyte', bytes / (1024 * 1024)] as const) : bytes >= 1024 ? (['kilobyte', bytes / 1024] as const) : (['byte', bytes] as const);
  return formatter(`bytes:${language}:${unit}`, () => new Intl.NumberFormat(language, { style: 'unit', unit, maximumFractionDigits: 1 })).format(value);
}
