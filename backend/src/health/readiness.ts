import type { Db } from '../store/db';
import { migrationsCurrent } from '../store/migrate';
import { ping } from './health-store';

export interface ReadinessChecks {
  store: boolean;
  migrations: boolean;
}

/** Ready when the store answers and every migration this build knows has been applied. */
export function storeReadiness(db: Db): () => Promise<ReadinessChecks> {
  return async () => {
    const checks = { store: false, migrations: false };
    try {
      await ping(db);
      checks.store = true;
      checks.migrations = await migrationsCurrent(db);
    } catch {
      // reported as not ready
    }
    return checks;
  };
}
