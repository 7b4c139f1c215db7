import type { Logger } from 'pino';
import type { QueueName } from './store/durable-queue';

/** Housekeeping on a schedule that is not a queue: a sweep over the store. */
export type Sweep =
  'template sync' | 'order expiry' | 'idempotency keys' | 'card refunds not confirmed' | 'data purge' | 'old install calls' | 'stranded statuses';

/**
 * What a drain is named by: a queue (`QUEUES`) or a sweep, never a free string, so a queue has one
 * drain however many places ask for it (decision 014).
 */
export type DrainName = QueueName | Sweep;

/**
 * Work that runs after a response is sent (the install hook's token exchange). Failures are logged,
 * never thrown into a request; `idle()` lets tests and shutdown wait for what is under way.
 */
export interface BackgroundTasks {
  run(name: string, task: () => Promise<unknown>): void;
  /**
   * A queue drain: at most one per queue runs at a time. Asked again while it runs, it runs once more
   * afterwards (so nothing queued meanwhile waits for the next timer), however often it was asked.
   */
  drain(name: DrainName, task: () => Promise<unknown>): void;
  idle(): Promise<void>;
}

export function createBackgroundTasks(logger: Logger): BackgroundTasks {
  const running = new Set<Promise<unknown>>();
  // Per drain name: the task to run again when the current one ends (undefined: none asked for).
  const draining = new Map<DrainName, (() => Promise<unknown>) | undefined>();

  function run(name: string, task: () => Promise<unknown>): Promise<unknown> {
    const promise = Promise.resolve()
      .then(task)
      .catch((err) => logger.error({ err, task: name }, 'background task failed'))
      .finally(() => running.delete(promise));
    running.add(promise);
    return promise;
  }

  function drain(name: DrainName, task: () => Promise<unknown>): void {
    if (draining.has(name)) {
      draining.set(name, task);
      return;
    }
    draining.set(name, undefined);
    void run(name, task).then(() => {
      const again = draining.get(name);
      draining.delete(name);
      if (again) drain(name, again);
    });
  }

  return {
    run: (name, task) => void run(name, task),
    drain,
    async idle() {
      while (running.size) await Promise.all([...running]);
    },
  };
}
