/**
 * Shapes traffic per key (a number, or a number and a customer) so the relay itself stays under the
 * Cloud API's limits. Two rules hold together: sends start at least `1000 / rate` ms apart (a caller
 * woken a little late keeps its planned slot, so timer lag does not lower the rate), and no rolling
 * second ever holds more than `rate` sends — Meta counts per second, so the catch-up of a late slot
 * can never put one too many into a window. At most `concurrency` sends are in flight per key.
 * Real time, on purpose: it shapes traffic to a real server.
 */
export function createPacer(ratePerSecond: number, options: { concurrency?: number; sleep?: (ms: number) => Promise<void>; windowMarginMs?: number } = {}) {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const concurrency = options.concurrency ?? Math.max(1, Math.ceil(ratePerSecond / 10));
  const gap = 1000 / ratePerSecond;
  const perWindow = Math.max(1, Math.floor(ratePerSecond));
  // A send leaves a few ms after we time it; the window is held that much longer on our side.
  const window = 1000 + (options.windowMarginMs ?? 15);
  const next = new Map<string, number>();
  const recent = new Map<string, number[]>();
  const inFlight = new Map<string, number>();
  const waiting = new Map<string, (() => void)[]>();

  async function acquire(key: string) {
    if ((inFlight.get(key) ?? 0) >= concurrency) {
      await new Promise<void>((resolve) => waiting.set(key, [...(waiting.get(key) ?? []), resolve]));
    }
    inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
  }

  function release(key: string) {
    inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
    const queue = waiting.get(key);
    queue?.shift()?.();
  }

  async function spaced(key: string) {
    for (;;) {
      const now = Date.now();
      const free = next.get(key) ?? 0;
      const sent = recent.get(key) ?? [];
      while (sent.length && sent[0]! <= now - window) sent.shift();
      const windowFree = sent.length < perWindow ? now : sent[sent.length - perWindow]! + window;
      if (now >= free && now >= windowFree) {
        next.set(key, (now - free < gap ? free : now) + gap);
        sent.push(now);
        recent.set(key, sent);
        return;
      }
      await sleep(Math.max(free, windowFree) - now);
    }
  }

  return {
    async run<T>(key: string, send: () => Promise<T>): Promise<T> {
      await acquire(key);
      try {
        await spaced(key);
        return await send();
      } finally {
        release(key);
      }
    },
  };
}
export type Pacer = ReturnType<typeof createPacer>;
