import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import type { BackgroundTasks } from '../src/background-tasks';
import type { Db, Queryable } from '../src/store/db';

/** What one HTTP request cost the store: each statement is a round trip, and a transaction adds two (begin, commit). */
export interface RequestTrips {
  method: string;
  path: string;
  status: number;
  trips: number;
}

/**
 * Counts the store round trips of each HTTP request, the way PostgreSQL pays them. A statement made
 * while a request is being answered counts to that request (its async context); work handed to the
 * background tasks (a queue drain a send wakes) does not, even when the request started it.
 */
export function roundTripCounter() {
  const scope = new AsyncLocalStorage<{ trips: number }>();
  const note = (n: number) => {
    const counter = scope.getStore();
    if (counter) counter.trips += n;
  };
  const counted = (q: Queryable): Queryable => ({
    query: (sql, params) => {
      note(1);
      return q.query(sql, params);
    },
    exec: (sql) => {
      note(1);
      return q.exec(sql);
    },
  });
  const requests: RequestTrips[] = [];
  return {
    requests,
    /** The store, counting. */
    wrap: (db: Db): Db => ({
      ...db,
      ...counted(db),
      transaction: (fn) => {
        note(2);
        return db.transaction((tx) => fn(counted(tx)));
      },
    }),
    /** Background tasks whose work counts to no request. */
    detach: (tasks: BackgroundTasks): BackgroundTasks => ({
      ...tasks,
      run: (name, task) => tasks.run(name, () => scope.exit(task)),
      drain: (name, task) => tasks.drain(name, () => scope.exit(task)),
    }),
    /** Express middleware: each request counted until its answer is sent. */
    middleware: (): RequestHandler => (req, res, next) => {
      const counter = { trips: 0 };
      res.on('finish', () => requests.push({ method: req.method, path: req.originalUrl.split('?')[0]!, status: res.statusCode, trips: counter.trips }));
      scope.run(counter, next);
    },
  };
}
