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

export function formatDate(iso: string, language: string, timeZone?: string, withTime = false): string {
  const make = () => new Intl.DateTimeFormat(language, { dateStyle: 'medium', ...(withTime ? { timeStyle: 'short' } : {}), timeZone });
  return formatter(`date:${language}:${timeZone ?? ''}:${withTime}`, make).format(new Date(iso));
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
