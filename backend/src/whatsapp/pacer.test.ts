import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPacer } from './pacer';

describe('the per-number pacer', () => {
  it('when bulk sends are queued, then an urgent send goes next, and urgent sends keep their order', async () => {
    // One in flight at a time, no spacing worth waiting for: only the queue order matters.
    const pacer = createPacer(100_000, { concurrency: 1 });
    const order: string[] = [];
    let open!: () => void;
    const first = pacer.run('n', () => new Promise<void>((r) => (open = r)).then(() => void order.push('bulk 0')));
    await new Promise((r) => setTimeout(r, 5));
    const all = [
      first,
      ...[1, 2, 3].map((i) => pacer.run('n', async () => void order.push(`bulk ${i}`))),
      pacer.run('n', async () => void order.push('chat A'), { urgent: true }),
      pacer.run('n', async () => void order.push('chat B'), { urgent: true }),
    ];
    open();
    await Promise.all(all);
    expect(order).toEqual(['bulk 0', 'chat A', 'chat B', 'bulk 1', 'bulk 2', 'bulk 3']);
  });

  afterEach(() => void vi.useRealTimers());

  it('when an answer comes back late, then that send holds its place in the rolling second until a second after the answer', async () => {
    // Meta counts a send when it arrives, which we only know happened by the answer: a slow request
    // must not let a third send share its second (a window timed from the start allowed it at 1,000 ms).
    vi.useFakeTimers({ now: 0 });
    const pacer = createPacer(2, { concurrency: 2 });
    const started: number[] = [];
    const answered: number[] = [];
    const send = (answerAfterMs: number) => async () => {
      const i = started.push(Date.now()) - 1;
      await new Promise<void>((r) => setTimeout(r, answerAfterMs));
      answered[i] = Date.now();
    };
    const all = Promise.all([pacer.run('n', send(80)), pacer.run('n', send(0)), pacer.run('n', send(0))]);
    await vi.advanceTimersByTimeAsync(5_000);
    await all;
    // The first at once, answered after 80 ms; the second one gap (500 ms) later, answered at once.
    // The third waits for the first to leave: a second after its answer (1,015 ms after its start was allowed before).
    expect(started.slice(0, 2)).toEqual([0, 500]);
    expect(answered[0]).toBe(80);
    expect(started[2]).toBe(answered[0]! + 1000);
  });

  it('when an answer is very slow, then its send leaves the window a second after its start plus the most a request is taken to travel', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = createPacer(1, { concurrency: 2 });
    const started: number[] = [];
    const slow = async () => {
      started.push(Date.now());
      await new Promise((r) => setTimeout(r, 5_000));
    };
    const all = Promise.all([pacer.run('n', slow), pacer.run('n', slow)]);
    await vi.advanceTimersByTimeAsync(10_000);
    await all;
    // Not at 6,000 (its answer plus a second): a request is taken to arrive within 100 ms.
    expect(started).toEqual([0, 1100]);
  });

  it('when sends keep coming, then no rolling second of answers-plus-one-second ever holds more than the rate', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = createPacer(10, { concurrency: 3 });
    const spans: { start: number; answer: number }[] = [];
    const sends = Array.from({ length: 60 }, (_, i) =>
      pacer.run('n', async () => {
        const start = Date.now();
        await new Promise((r) => setTimeout(r, (i * 37) % 100));
        spans.push({ start, answer: Date.now() });
      }),
    );
    await vi.advanceTimersByTimeAsync(20_000);
    await Promise.all(sends);
    expect(spans).toHaveLength(60);
    // However each request travelled, its arrival lies in [start, answer]: count the worst case at every start.
    for (const { start } of spans) {
      const sharing = spans.filter((o) => o.start <= start && o.answer > start - 1000).length;
      expect(sharing).toBeLessThanOrEqual(10);
    }
  });
});
