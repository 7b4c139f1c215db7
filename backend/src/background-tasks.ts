import type { Logger } from 'pino';

/**
 * Work that runs after a response is sent (the install hook's token exchange). Failures are logged,
 * never thrown into a request; `idle()` lets tests and shutdown wait for what is under way.
 */
export interface BackgroundTasks {
  run(name: string, task: () => Promise<unknown>): void;
  idle(): Promise<void>;
}

export function createBackgroundTasks(logger: Logger): BackgroundTasks {
  const running = new Set<Promise<unknown>>();
  return {
    run(name, task) {
      const promise = Promise.resolve()
        .then(task)
        .catch((err) => logger.error({ err, task: name }, 'background task failed'))
        .finally(() => running.delete(promise));
      running.add(promise);
    },
    async idle() {
      while (running.size) await Promise.all([...running]);
    },
  };
}
