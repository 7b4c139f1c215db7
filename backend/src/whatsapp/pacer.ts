/**
 * Shapes traffic per key (a number, or a number and a customer) so the relay itself stays under the
 * Cloud API's limits: two sends for one key start at least `1000 / rate` ms apart, and at most
 * `concurrency` are in flight at once. Slots are claimed when a caller is actually released, not
 * booked ahead, and the in-flight cap keeps a stalled event loop from putting a backlog on the wire
 * in one burst. Real time, on purpose: it shapes traffic to a real server.
 */
export function createPacer(ratePerSecond: number, options: { concurrency?: number; sleep?: (ms: number) => Promise<void> } = {}) {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const concurrency = options.concurrency ?? Math.max(1, Math.ceil(ratePerSecond / 20));
  const gap = 1000 / ratePerSecond;
  const next = new Map<string, number>();
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
      if (now >= free) {
        // A caller woken a little late keeps the planned slot, so timer lag does not lower the rate;
        // after an idle spell the schedule restarts from now (no burst to make up for lost time).
        next.set(key, (now - free < gap ? free : now) + gap);
        return;
      }
      await sleep(free - now);
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
