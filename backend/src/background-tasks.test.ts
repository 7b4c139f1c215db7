import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createBackgroundTasks } from './background-tasks';

describe('background queue drains', () => {
  it('run one at a time per name, and once more when asked while running', async () => {
    const tasks = createBackgroundTasks(pino({ level: 'silent' }));
    let running = 0;
    let most = 0;
    let runs = 0;
    let release!: () => void;
    const drain = async () => {
      runs++;
      running++;
      most = Math.max(most, running);
      if (runs === 1) await new Promise<void>((r) => (release = r));
      running--;
    };
    tasks.drain('notes', drain);
    await Promise.resolve();
    for (let i = 0; i < 10; i++) tasks.drain('notes', drain);
    tasks.drain('other queue', async () => undefined);
    release();
    await tasks.idle();
    expect(runs).toBe(2);
    expect(most).toBe(1);

    tasks.drain('notes', drain);
    await tasks.idle();
    expect(runs).toBe(3);
  });

  it('keeps draining after a failed run', async () => {
    const tasks = createBackgroundTasks(pino({ level: 'silent' }));
    let runs = 0;
    tasks.drain('q', async () => {
      runs++;
      throw new Error('store away');
    });
    await tasks.idle();
    tasks.drain('q', async () => void runs++);
    await tasks.idle();
    expect(runs).toBe(2);
  });
});
