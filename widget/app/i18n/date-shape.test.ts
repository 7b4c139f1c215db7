import { afterEach, describe, expect, it } from 'vitest';
import { asShape, writeDate } from './date-shape';
import { learnShape } from './learn-date-shape';

const formatter = (language: string) => new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
/** Every 37 hours and 11 minutes across three years: each month, hour and day of the month comes up. */
const moments = () => Array.from({ length: 720 }, (_, i) => new Date(Date.UTC(2024, 0, 1) + i * (37 * 60 + 11) * 60_000));

describe('a date shape', () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  for (const language of ['en', 'es', 'pt', 'ru']) {
    it(`when the shape of ${language} is learnt from Intl, then it writes every moment exactly as Intl does`, () => {
      const format = formatter(language);
      const shape = learnShape(format)!;
      expect(shape).not.toBeNull();
      for (const moment of moments()) expect(writeDate(shape, moment)).toBe(format.format(moment));
    });
  }

  it('when the browser is in a zone with summer time or a half-hour offset, then the shape writes its local time as Intl does', () => {
    for (const tz of ['America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe']) {
      process.env.TZ = tz;
      const format = formatter('en');
      const shape = learnShape(format)!;
      expect(shape, tz).not.toBeNull();
      for (const moment of moments()) expect(writeDate(shape, moment)).toBe(format.format(moment));
    }
  });

  it('when a language writes other digits, another calendar or words the shape cannot hold, then no shape is learnt', () => {
    for (const language of ['ar-EG', 'fa', 'th-TH-u-ca-buddhist', 'en-u-ca-japanese']) expect(learnShape(formatter(language)), language).toBeNull();
  });

  it('when a shape would write some moments otherwise than Intl (day-period words that change with the hour, minutes in one digit), then none is learnt', () => {
    // Only the comparison with Intl over the samples catches these: their parts are all ones a shape holds.
    for (const language of ['zh-TW', 'yo']) expect(learnShape(formatter(language)), language).toBeNull();
  });

  it('when a stored shape is damaged or of another build, then it is not taken', () => {
    const shape = learnShape(formatter('en'))!;
    expect(asShape(JSON.parse(JSON.stringify(shape)))).toEqual(shape);
    expect(asShape(null)).toBeNull();
    expect(asShape({ ...shape, months: shape.months.slice(1) })).toBeNull();
    expect(asShape({ ...shape, pieces: [...shape.pieces, { part: 'weekday' }] })).toBeNull();
    expect(asShape({ ...shape, pieces: [{ literal: 7 }] })).toBeNull();
    expect(asShape({ ...shape, pieces: shape.pieces.filter((p) => !('part' in p) || p.part !== 'year') })).toBeNull();
    expect(asShape({ ...shape, hourCycle: 'h36' })).toBeNull();
    expect(asShape({ ...shape, twoDigitHour: 'no' })).toBeNull();
  });
});
