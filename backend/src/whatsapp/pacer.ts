/**
 * Shapes traffic per key (a number, or a number and a customer) so the relay itself stays under the
 * Cloud API's limits. Two rules hold together: sends start at least `1000 / rate` ms apart (a caller
 * woken a little late keeps its planned slot, so timer lag does not lower the rate), and no rolling
 * second ever holds more than `rate` sends — Meta counts per second, so the catch-up of a late slot
 * can never put one too many into a window. At most `concurrency` sends are in flight per key; an
 * urgent send (an agent's chat message) waits ahead of queued bulk sends (a broadcast's), so a
 * running broadcast does not hold up a conversation. Real time, on purpose: it shapes traffic to a
 * real server.
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
  // Callers waiting for a free place, per key: urgent ones are woken before any bulk one.
  const waiting = new Map<string, { urgent: (() => void)[]; bulk: (() => void)[] }>();

  async function acquire(key: string, urgent: boolean) {
    if ((inFlight.get(key) ?? 0) >= concurrency) {
      await new Promise<void>((resolve) => {
        const queues = waiting.get(key) ?? { urgent: [], bulk: [] };
        (urgent ? queues.urgent : queues.bulk).push(resolve);
        waiting.set(key, queues);
      });
    }
    inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
  }

  function release(key: string) {
    inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
    const queues = waiting.get(key);
    (queues?.urgent.shift() ?? queues?.bulk.shift())?.();
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
    async run<T>(key: string, send: () => Promise<T>, options: { urgent?: boolean } = {}): Promise<T> {
      await acquire(key, options.urgent ?? false);
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
