/**
 * Shapes traffic per key (a number, or a number and a customer) so the relay itself stays under the
 * Cloud API's limits. Two rules hold together: sends start at least `1000 / rate` ms apart (a caller
 * woken a little late keeps its planned slot, so timer lag does not lower the rate), and no rolling
 * second ever holds more than `rate` sends as Meta counts them, on arrival. We cannot see the arrival,
 * only that it happened by the time the answer came back, so a send holds its place in the window
 * from its start until one second after its answer, or after MAX_TRAVEL_MS if the answer is slower:
 * a request held up on the way cannot share Meta's second with `rate` others (timing the window from
 * the start broke on one held up 15 ms), while a slow answer costs at most MAX_TRAVEL_MS of the
 * second (holding to every answer would lose a fifth of the pace at Meta's usual 250 ms). At most
 * `concurrency` sends are in flight per key; an urgent send (an agent's chat message) waits ahead of
 * queued bulk sends (a broadcast's), so a running broadcast does not hold up a conversation. Real
 * time, on purpose: it shapes traffic to a real server.
 */
const CATCH_UP_MS = 2;
const WINDOW_MS = 1000;
const MAX_TRAVEL_MS = 100;

export function createPacer(ratePerSecond: number, options: { concurrency?: number; sleep?: (ms: number) => Promise<void> } = {}) {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const concurrency = options.concurrency ?? Math.max(1, Math.ceil(ratePerSecond / 10));
  const gap = 1000 / ratePerSecond;
  const perWindow = Math.max(1, Math.floor(ratePerSecond));
  const next = new Map<string, number>();
  // Per key, sorted: when each send leaves the rolling window. A send enters with the latest it can
  // leave (start + MAX_TRAVEL_MS + a second) and moves earlier when its answer comes back sooner.
  const windows = new Map<string, number[]>();
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
    let leaving = windows.get(key);
    if (!leaving) windows.set(key, (leaving = []));
    return leaving;
  }

  function insertSorted(list: number[], value: number) {
    let at = list.length;
    while (at > 0 && list[at - 1]! > value) at--;
    list.splice(at, 0, value);
  }

  // Keys are also (number, customer) pairs: an idle key is forgotten, or a long-running relay would keep one per customer ever written to.
  let sinceSweep = 0;
  function sweep(now: number) {
    if (++sinceSweep < 1000) return;
    sinceSweep = 0;
    for (const [key, leaving] of windows) {
      const idle = (leaving.at(-1) ?? 0) <= now && (next.get(key) ?? 0) <= now && !inFlight.get(key);
      if (idle) for (const map of [windows, next, inFlight, waiting]) map.delete(key);
    }
  }

  /** Waits for the key's next slot; returns when the send starts. */
  async function spaced(key: string): Promise<number> {
    sweep(Date.now());
    const leaving = windowOf(key);
    for (;;) {
      const now = Date.now();
      const free = next.get(key) ?? 0;
      while (leaving.length && leaving[0]! <= now) leaving.shift();
      // Full: wait until enough sends have left.
      const windowFree = leaving.length < perWindow ? now : leaving[leaving.length - perWindow]!;
      if (now >= free && now >= windowFree) {
        // Late by less than a gap (or CATCH_UP_MS when the gap is shorter: a timer fires about a
        // millisecond late, a whole gap at 1,000/s), the send keeps its slot; later than that, the key was idle.
        next.set(key, (now - free < Math.max(gap, CATCH_UP_MS) ? free : now) + gap);
        leaving.push(now + MAX_TRAVEL_MS + WINDOW_MS);
        return now;
      }
      await sleep(Math.max(free, windowFree) - now);
    }
  }

  function answered(key: string, startedAt: number) {
    const latest = startedAt + MAX_TRAVEL_MS + WINDOW_MS;
    const leaves = Math.min(Date.now(), startedAt + MAX_TRAVEL_MS) + WINDOW_MS;
    const leaving = windows.get(key);
    const at = leaving?.lastIndexOf(latest) ?? -1;
    if (!leaving || at < 0 || leaves >= latest) return;
    leaving.splice(at, 1);
    insertSorted(leaving, leaves);
  }

  return {
    async run<T>(key: string, send: () => Promise<T>, options: { urgent?: boolean } = {}): Promise<T> {
      await acquire(key, options.urgent ?? false);
      try {
        const startedAt = await spaced(key);
        try {
          return await send();
        } finally {
          answered(key, startedAt);
        }
      } finally {
        release(key);
      }
    },
  };
}
export type Pacer = ReturnType<typeof createPacer>;
