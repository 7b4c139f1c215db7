import type { Logger } from 'pino';

/**
 * Work that runs after a response is sent (the install hook's token exchange). Failures are logged,
 * never thrown into a request; `idle()` lets tests and shutdown wait for what is under way.
 */
export interface BackgroundTasks {
  run(name: string, task: () => Promise<unknown>): void;
  /**
   * A queue drain: at most one per name runs at a time. Asked again while it runs, it runs once more
   * afterwards (so nothing queued meanwhile waits for the next timer), however often it was asked.
   */
  drain(name: string, task: () => Promise<unknown>): void;
  idle(): Promise<void>;
}

export function createBackgroundTasks(logger: Logger): BackgroundTasks {
  const running = new Set<Promise<unknown>>();
  // Per drain name: the task to run again when the current one ends (undefined: none asked for).
  const draining = new Map<string, (() => Promise<unknown>) | undefined>();

  function run(name: string, task: () => Promise<unknown>): Promise<unknown> {
    const promise = Promise.resolve()
      .then(task)
      .catch((err) => logger.error({ err, task: name }, 'background task failed'))
      .finally(() => running.delete(promise));
    running.add(promise);
    return promise;
  }

  function drain(name: string, task: () => Promise<unknown>): void {
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
