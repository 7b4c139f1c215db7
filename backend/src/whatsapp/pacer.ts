/**
 * Spaces sends per key (a number) so the relay itself stays under the Cloud API's throughput:
 * each call gets the next free slot, `1000 / rate` ms after the previous one. Real time, on purpose:
 * it shapes traffic to a real server.
 */
export function createPacer(ratePerSecond: number, sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))) {
  const next = new Map<string, number>();
  const gap = 1000 / ratePerSecond;
  return {
    async wait(key: string): Promise<void> {
      const now = Date.now();
      const slot = Math.max(now, next.get(key) ?? 0);
      next.set(key, slot + gap);
      if (slot > now) await sleep(slot - now);
    },
  };
}
export type Pacer = ReturnType<typeof createPacer>;
