import { describe, expect, it } from 'vitest';
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
});
