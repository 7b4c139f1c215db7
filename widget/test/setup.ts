import { vi } from 'vitest';

/**
 * `vi.waitFor` gives up after 1 s by default. The widget's admin screens and models load as chunks of
 * their own, and on a busy two-core CI machine (unit files run three at a time) the first render can
 * take longer than that without anything being wrong. Waits here allow 10 s unless a test says
 * otherwise; a condition that never comes true still fails, only later.
 */
const waitFor = vi.waitFor.bind(vi);
vi.waitFor = ((callback, options) => waitFor(callback, typeof options === 'number' ? options : { timeout: 10_000, ...options })) as typeof vi.waitFor;
