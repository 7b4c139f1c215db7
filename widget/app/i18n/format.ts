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
  return dateFormatter(language, timeZone, withTime).format(new Date(iso));
}

/**
 * A chat message's date and time in the browser's zone, exactly as `formatDate` writes it: from the
 * language's shape where this browser has learnt one (date-shape.ts), so that a card's first render
 * builds no Intl formatter (docs/decisions/041).
 */
export function formatMessageTime(iso: string, language: string): string {
  const date = new Date(iso);
  const shape = knownShape(language);
  if (!shape || Number.isNaN(date.getTime())) return formatDate(iso, language, undefined, true);
  recheckLater(language);
  return writeDate(shape, date);
}

// Each language's shape, learnt by this browser on an earlier page. The key names the format (a
// build that changes the chat's format starts again) and the value the browser that learnt it.
const SHAPE_KEY = 'wabridge:date-shape:1:';
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

/** Learns the language's shape from its Intl formatter and keeps it for the next page (or forgets the one kept, where none can be learnt). */
function learn(language: string) {
  const format = dateFormatter(language, undefined, true);
  void import(/* webpackChunkName: "date-shape" */ './learn-date-shape').then(
    ({ learnShape }) => {
      let shape;
      try {
        shape = learnShape(format);
      } catch {
        return;
      }
      // A page keeps the shape it started with: its rows all read alike.
      if (!shapes.get(language)) shapes.set(language, shape);
      try {
        if (shape) localStorage.setItem(SHAPE_KEY + language, JSON.stringify({ browser: navigator.userAgent, shape }));
        else localStorage.removeItem(SHAPE_KEY + language);
      } catch {
        // Kept for this page only.
      }
    },
    () => undefined, // Not learnt this time: the next page tries again.
  );
}

/**
 * Readies the chat's dates: where this browser has no shape for the language, the Intl formatter is
 * built in a task of its own while the loader signs in (the first render needs it), and its shape is
 * learnt for the next page.
 */
export function prepareDates(language: string): void {
  if (!knownShape(language)) setTimeout(() => learn(language));
}

/**
 * A page that writes from a stored shape learns it again, once: a few seconds after, when the page
 * is idle (the chat drawn and settled; before the chat, building the formatter would cost what the
 * shape saves). A browser update that writes dates otherwise under the same name is caught for the
 * next page.
 */
const rechecked = new Set<string>();
function recheckLater(language: string) {
  if (rechecked.has(language)) return;
  rechecked.add(language);
  setTimeout(() => (typeof requestIdleCallback === 'function' ? requestIdleCallback(() => learn(language)) : learn(language)), 5000);
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
