import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { learnShape } from './learn-date-shape';

const KEY = 'wabridge:date-shape:1:';
const iso = '2026-03-09T17:04:00.000Z';
const options = { dateStyle: 'medium', timeStyle: 'short' } as const;
const intl = (language: string) => new Intl.DateTimeFormat(language, options).format(new Date(iso));
const shapeOf = (language: string) => learnShape(new Intl.DateTimeFormat(language, options))!;
const store = (language: string, shape: unknown, browser = navigator.userAgent) => localStorage.setItem(KEY + language, JSON.stringify({ browser, shape }));
/** Months named "Xyz0" to "Xyz11": what a shape writes, told apart from what Intl writes. */
const marked = (language: string) => ({ ...shapeOf(language), months: Array.from({ length: 12 }, (_, i) => `Xyz${i}`) });
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
const stored = (language: string) => JSON.parse(localStorage.getItem(KEY + language) ?? 'null') as { browser: string; shape: { months: string[] } } | null;

describe('the chat’s dates on a new page', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('when this browser learnt the language’s shape on an earlier page, then a message’s time is written as Intl writes it without building an Intl formatter', async () => {
    store('es', shapeOf('es'));
    const expected = intl('es');
    const { formatMessageTime } = await freshPage();
    const built = watchFormatters();
    expect(formatMessageTime(iso, 'es')).toBe(expected);
    expect(built).not.toHaveBeenCalled();
  });

  it('when a date is shown anywhere but a chat message (in a zone, without its time, on the admin screens), then Intl writes it, whatever shape is stored', async () => {
    store('pt', marked('pt'));
    const { formatDate, formatMessageTime } = await freshPage();
    expect(formatMessageTime(iso, 'pt')).toContain('Xyz');
    expect(formatDate(iso, 'pt', undefined, true)).toBe(intl('pt'));
    expect(formatDate(iso, 'pt', 'America/Sao_Paulo', true)).toBe(
      new Intl.DateTimeFormat('pt', { ...options, timeZone: 'America/Sao_Paulo' }).format(new Date(iso)),
    );
    expect(formatDate(iso, 'pt')).toBe(new Intl.DateTimeFormat('pt', { dateStyle: 'medium' }).format(new Date(iso)));
  });

  it('when the stored shape was learnt by another browser, is damaged or contradicts itself, then Intl writes the message’s time', async () => {
    const en = shapeOf('en');
    const bad = [
      {},
      { ...en, hourCycle: ['h23'] },
      { ...en, periods: null },
      { ...en, pieces: [] },
      { ...en, pieces: en.pieces.filter((p) => !('part' in p) || p.part !== 'dayPeriod') },
      { ...en, pieces: [...en.pieces, { part: 'hour' }] },
      { ...en, pieces: en.pieces.map((p) => ('part' in p ? { part: [p.part] } : p)) },
      { ...en, twoDigitDay: 'no' },
    ];
    const another = marked('en');
    for (const shape of [
      ...bad,
      { ...en, hourCycle: 'h23' },
      { ...en, periods: ['PM', 'PM'] },
      { ...en, months: [...en.months.slice(1), en.months[1]] },
      another,
    ]) {
      store('en', shape, shape === another ? 'AnotherBrowser/1.0' : navigator.userAgent);
      const { formatMessageTime } = await freshPage();
      expect(formatMessageTime(iso, 'en'), JSON.stringify(shape)).toBe(intl('en'));
    }
  });

  it('when a page prepares a language this browser has no shape for, then the formatter is built in a task of its own and its shape kept for the next page', async () => {
    vi.useFakeTimers();
    const { prepareDates } = await freshPage();
    prepareDates('ru');
    expect(stored('ru')).toBeNull();
    vi.runAllTimers();
    vi.useRealTimers();
    await vi.waitFor(() => expect(stored('ru')).toEqual({ browser: navigator.userAgent, shape: shapeOf('ru') }));

    const expected = intl('ru');
    const next = await freshPage();
    const built = watchFormatters();
    expect(next.formatMessageTime(iso, 'ru')).toBe(expected);
    expect(built).not.toHaveBeenCalled();
  });

  it('when the stored shape no longer writes as the browser does, then the page keeps it but learns it again once the chat has settled, and the next page writes as Intl does', async () => {
    store('en', marked('en'));
    vi.useFakeTimers();
    const page = await freshPage();
    page.prepareDates('en');
    expect(page.formatMessageTime(iso, 'en')).toContain('Xyz');
    // Not before the chat is drawn and settled (learning builds the formatter first).
    const built = watchFormatters();
    vi.advanceTimersByTime(4000);
    expect(built).not.toHaveBeenCalled();
    vi.runAllTimers();
    vi.useRealTimers();
    await vi.waitFor(() => expect(stored('en')?.shape.months).toEqual(shapeOf('en').months), { timeout: 5000 });
    // The page's rows all read alike.
    expect(page.formatMessageTime(iso, 'en')).toContain('Xyz');
    const next = await freshPage();
    expect(next.formatMessageTime(iso, 'en')).toBe(intl('en'));
  });

  it('when the frame may keep no storage, then Intl writes the message’s time', async () => {
    vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    const { formatMessageTime } = await freshPage();
    expect(formatMessageTime(iso, 'en')).toBe(intl('en'));
  });
});
