import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { learnShape } from './learn-date-shape';

const KEY = 'wabridge:date-shape:';
const iso = '2026-03-09T17:04:00.000Z';
const intl = (language: string) => new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
const store = (language: string, browser: string) =>
  localStorage.setItem(
    KEY + language,
    JSON.stringify({ browser, shape: learnShape(new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' })) }),
  );
/** Counts the Intl date formatters built from now on (each still works). */
const watchFormatters = () => {
  const Real = Intl.DateTimeFormat;
  return vi.spyOn(Intl, 'DateTimeFormat').mockImplementation(function (...args: ConstructorParameters<typeof Real>) {
    return new Real(...args);
  } as unknown as typeof Real);
};
/** format.ts as a new page loads it (it keeps what it read from storage for the page's life). */
const freshPage = async () => {
  vi.resetModules();
  return import('./format');
};

describe('the chat’s dates on a new page', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('when this browser learnt the language’s shape on an earlier page, then a message’s time is written as Intl writes it without building an Intl formatter', async () => {
    store('es', navigator.userAgent);
    const expected = intl('es');
    const { formatDate } = await freshPage();
    const built = watchFormatters();
    expect(formatDate(iso, 'es', undefined, true)).toBe(expected);
    expect(built).not.toHaveBeenCalled();
  });

  it('when the stored shape was learnt by another browser, or the date is in another zone or without its time, then Intl writes it', async () => {
    store('es', 'AnotherBrowser/1.0');
    store('pt', navigator.userAgent);
    const expected = intl('es');
    const { formatDate } = await freshPage();
    const built = watchFormatters();
    expect(formatDate(iso, 'es', undefined, true)).toBe(expected);
    formatDate(iso, 'pt', 'America/Sao_Paulo', true);
    formatDate(iso, 'pt');
    expect(built.mock.calls.map(([language, options]) => [language, options?.timeZone, options?.timeStyle])).toEqual(
      expect.arrayContaining([
        ['es', undefined, 'short'],
        ['pt', 'America/Sao_Paulo', 'short'],
        ['pt', undefined, undefined],
      ]),
    );
  });

  it('when a page prepares a language this browser has no shape for, then the formatter is built in a task of its own and its shape kept for the next page', async () => {
    vi.useFakeTimers();
    const { prepareDates } = await freshPage();
    prepareDates('ru');
    expect(localStorage.getItem(KEY + 'ru')).toBeNull();
    vi.runAllTimers();
    vi.useRealTimers();
    await vi.waitFor(() => expect(localStorage.getItem(KEY + 'ru')).not.toBeNull());
    expect(JSON.parse(localStorage.getItem(KEY + 'ru')!)).toEqual({
      browser: navigator.userAgent,
      shape: expect.objectContaining({ months: expect.any(Array) }),
    });

    const expected = intl('ru');
    const next = await freshPage();
    const built = watchFormatters();
    expect(next.formatDate(iso, 'ru', undefined, true)).toBe(expected);
    next.prepareDates('ru');
    expect(built).not.toHaveBeenCalled();
  });

  it('when the frame may keep no storage, then Intl writes the dates', async () => {
    vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    const { formatDate } = await freshPage();
    expect(formatDate(iso, 'en', undefined, true)).toBe(intl('en'));
  });
});
