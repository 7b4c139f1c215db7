/**
 * A check of data that comes from outside the card's build: it returns the value with only the
 * fields it names (as zod's `parse` does), or throws `ShapeError`. Written against the contract's
 * types (`const Me: Check<MeResponse>`), so a field the contract adds or changes fails to compile
 * here; a test checks each shape accepts and refuses what the contract's zod schema does. The card
 * checks two things with it, what Kommo's page posts and `/me`, without carrying zod
 * (docs/decisions/030).
 */
export type Check<T> = (value: unknown, path?: string) => T;

export class ShapeError extends Error {
  override readonly name = 'ShapeError';

  constructor(readonly path: string) {
    super(`Unexpected value at ${path || 'the top'}.`);
  }
}

const is =
  <T>(test: (value: unknown) => boolean): Check<T> =>
  (value, path = '') => {
    if (!test(value)) throw new ShapeError(path);
    return value as T;
  };

export const string = is<string>((v) => typeof v === 'string');
export const int = is<number>(Number.isSafeInteger);
export const boolean = is<boolean>((v) => typeof v === 'boolean');
/** An ISO 8601 date and time in UTC (`2026-11-30T02:27:29.000Z`), as zod's `iso.datetime()`. */
export const datetime = is<string>((v) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/.test(v) && !Number.isNaN(Date.parse(v)));

export const oneOf = <const V extends readonly (string | number | boolean)[]>(...values: V): Check<V[number]> => is((v) => values.includes(v as V[number]));

export const nullable =
  <T>(check: Check<T>): Check<T | null> =>
  (value, path) =>
    value === null ? null : check(value, path);

/** Missing, or as `check` says (zod's `optional`). */
export const optional =
  <T>(check: Check<T>): Check<T | undefined> =>
  (value, path) =>
    value === undefined ? undefined : check(value, path);

/** A value `test` says is one, passed on as it is (zod's `custom`). */
export const custom = <T>(test: (value: unknown) => boolean): Check<T> => is<T>(test);

/** An array; `fallback` when the field is missing (zod's `_default`). */
export const array =
  <T>(check: Check<T>, fallback?: T[]): Check<T[]> =>
  (value, path = '') => {
    if (value === undefined && fallback) return fallback;
    if (!Array.isArray(value)) throw new ShapeError(path);
    return value.map((item, i) => check(item, `${path}.${i}`));
  };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const object =
  <T>(fields: { [K in keyof T]-?: Check<T[K]> }): Check<T> =>
  (value, path = '') => {
    if (!isRecord(value)) throw new ShapeError(path);
    const out: Record<string, unknown> = {};
    for (const key in fields) out[key] = fields[key](value[key], path ? `${path}.${key}` : key);
    return out as T;
  };

/** One of several objects, told apart by the string in `key` (zod's `discriminatedUnion`). */
export const union =
  <T extends Record<K, string>, K extends string>(key: K, options: { [V in T[K]]: Check<Extract<T, Record<K, V>>> }): Check<T> =>
  (value, path = '') => {
    const tag = isRecord(value) ? value[key] : undefined;
    const check = typeof tag === 'string' && Object.hasOwn(options, tag) ? options[tag as T[K]] : undefined;
    if (!check) throw new ShapeError(path ? `${path}.${key}` : key);
    return check(value, path);
  };

/** The value when it has the shape, or undefined (zod's `safeParse`). */
export function tryCheck<T>(check: Check<T>, value: unknown): T | undefined {
  try {
    return check(value);
  } catch (err) {
    if (err instanceof ShapeError) return undefined;
    throw err;
  }
}
