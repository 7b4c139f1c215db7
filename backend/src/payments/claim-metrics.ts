import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock';
import type { Queryable } from '../store/db';
import { overdueClaimCount } from './order-store';

/** `/metrics` counts the claims past their 30-day answer date without an answer (SPEC §4.4), read from the store at each scrape. */
export function claimMetrics(registry: Registry, deps: { db: Queryable; clock: Clock }): void {
  new Gauge({
    name: 'claims_overdue',
    help: 'Licence claims past their answer date without an answer',
    registers: [registry],
    async collect() {
      try {
        this.set(await overdueClaimCount(deps.db, deps.clock.now()));
      } catch {
        // The store is away: /metrics still answers (with the last count), and /ready says why.
      }
    },
  });
}
