/** The time source every service takes; tests pass a fixed or hand-advanced one. */
export interface Clock {
  now(): Date;
}

/** A day in milliseconds: 24 hours, the one constant for it. */
export const DAY_MS = 86_400_000;

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(start: Date | string): Clock & { advance(ms: number): void; set(at: Date | string): void } {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
    set: (at) => {
      current = new Date(at).getTime();
    },
  };
}

/** Real time moved forward on request: the demo's "jump ahead" (never used outside the demo). */
export function offsetClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => {
      offset += ms;
    },
  };
}
