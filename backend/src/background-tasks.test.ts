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
    tasks.drain('kommo_note_outbox', drain);
    await Promise.resolve();
    for (let i = 0; i < 10; i++) tasks.drain('kommo_note_outbox', drain);
    tasks.drain('kommo_lead_outbox', async () => undefined);
    release();
    await tasks.idle();
    expect(runs).toBe(2);
    expect(most).toBe(1);

    tasks.drain('kommo_note_outbox', drain);
    await tasks.idle();
    expect(runs).toBe(3);
  });

  it('when a drain is named by anything but a queue or a sweep, then it does not compile', () => {
    const tasks = createBackgroundTasks(pino({ level: 'silent' }));
    // Two differently named drains of one queue could run side by side (decision 014).
    // @ts-expect-error a free string is not a drain name
    expect(() => tasks.drain('whatsapp inbox, failed ones too', async () => undefined)).not.toThrow();
    tasks.drain('whatsapp_inbox', async () => undefined);
    return tasks.idle();
  });

  it('keeps draining after a failed run', async () => {
    const tasks = createBackgroundTasks(pino({ level: 'silent' }));
    let runs = 0;
    tasks.drain('payment_events', async () => {
      runs++;
      throw new Error('store away');
    });
    await tasks.idle();
    tasks.drain('payment_events', async () => void runs++);
    await tasks.idle();
    expect(runs).toBe(2);
  });
});
