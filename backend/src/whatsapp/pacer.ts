/**
 * Shapes traffic per key (a number, or a number and a customer) so the relay itself stays under the
 * Cloud API's limits. Two rules hold together: sends start at least `1000 / rate` ms apart (a caller
 * woken a little late keeps its planned slot, so timer lag does not lower the rate), and no rolling
 * second ever holds more than `rate` sends as Meta counts them, on arrival. We cannot see the arrival,
 * only that it happened by the time the answer came back, so a send holds its place in the window
 * from its start until one second after its answer: however late a request travels, it cannot share
 * Meta's second with `rate` others (timing the window from the start broke on a request held up
 * 15 ms on the way). At most `concurrency` sends are in flight per key; an urgent send (an agent's
 * chat message) waits ahead of queued bulk sends (a broadcast's), so a running broadcast does not
 * hold up a conversation. Real time, on purpose: it shapes traffic to a real server.
 */
const CATCH_UP_MS = 2;
const WINDOW_MS = 1000;

export function createPacer(ratePerSecond: number, options: { concurrency?: number; sleep?: (ms: number) => Promise<void> } = {}) {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const concurrency = options.concurrency ?? Math.max(1, Math.ceil(ratePerSecond / 10));
  const gap = 1000 / ratePerSecond;
  const perWindow = Math.max(1, Math.floor(ratePerSecond));
  const next = new Map<string, number>();
  // Per key: sends without an answer yet, and when each answered send leaves the window (in order).
  const windows = new Map<string, { flying: number; leaving: number[] }>();
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

  function windowOf(key: string) {
    let w = windows.get(key);
    if (!w) windows.set(key, (w = { flying: 0, leaving: [] }));
    return w;
  }

  // Keys are also (number, customer) pairs: an idle key is forgotten, or a long-running relay would keep one per customer ever written to.
  let sinceSweep = 0;
  function sweep(now: number) {
    if (++sinceSweep < 1000) return;
    sinceSweep = 0;
    for (const [key, w] of windows) {
      const idle = w.flying === 0 && (w.leaving.at(-1) ?? 0) <= now && (next.get(key) ?? 0) <= now && !inFlight.get(key);
      if (idle) for (const map of [windows, next, inFlight, waiting]) map.delete(key);
    }
  }

  async function spaced(key: string) {
    sweep(Date.now());
    const w = windowOf(key);
    for (;;) {
      const now = Date.now();
      const free = next.get(key) ?? 0;
      while (w.leaving.length && w.leaving[0]! <= now) w.leaving.shift();
      const held = w.flying + w.leaving.length;
      // Full: wait for enough answered sends to leave, or (all still in flight) for a gap.
      const windowFree = held < perWindow ? now : (w.leaving[held - perWindow] ?? now + Math.max(1, gap));
      if (now >= free && now >= windowFree) {
        // Late by less than a gap (or CATCH_UP_MS when the gap is shorter: a timer fires about a
        // millisecond late, a whole gap at 1,000/s), the send keeps its slot; later than that, the key was idle.
        next.set(key, (now - free < Math.max(gap, CATCH_UP_MS) ? free : now) + gap);
        w.flying++;
        return;
      }
      await sleep(Math.max(free, windowFree) - now);
    }
  }

  function answered(key: string) {
    const w = windowOf(key);
    w.flying--;
    w.leaving.push(Date.now() + WINDOW_MS);
  }

  return {
    async run<T>(key: string, send: () => Promise<T>, options: { urgent?: boolean } = {}): Promise<T> {
      await acquire(key, options.urgent ?? false);
      try {
        await spaced(key);
        try {
          return await send();
        } finally {
          answered(key);
        }
      } finally {
        release(key);
      }
    },
  };
}
export type Pacer = ReturnType<typeof createPacer>;
