import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { IdGenerator } from '../ids';
import type { LicenceService } from '../licensing/licence-service';
import type { PriceList } from '../licensing/plans';
import type { Db } from '../store/db';
import type { AudienceReader } from './audience';
import { createBroadcastCommands } from './broadcast-commands';
import { createBroadcastViews } from './broadcast-views';

/**
 * Broadcasts to CRM contacts (SPEC §6), as the routes see them: what the user reads
 * (`broadcast-views.ts`) and what the user does (`broadcast-commands.ts`, drafts checked by
 * `broadcast-draft.ts`); the SQL is in `broadcast-store.ts`, the sending in `broadcast-engine.ts`
 * (its SQL in `broadcast-engine-store.ts`).
 */
export function createBroadcastService(deps: {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  licences: LicenceService;
  audience: AudienceReader;
  prices: PriceList;
  forbiddenWords?: Record<string, string[]>;
  /** Broadcast messages per second per number, for the estimate. */
  ratePerSecond: number;
}) {
  const views = createBroadcastViews(deps);
  const { viewNow, ...commands } = createBroadcastCommands({ ...deps, views });
  return {
    /** A broadcast as `narrowTo` may see it: a user id narrows the dry run's preview, null shows it whole. */
    view: viewNow,
    list: views.list,
    savedAudiences: views.savedAudiences,
    templates: views.templates,
    ...commands,
  };
}
export type BroadcastService = ReturnType<typeof createBroadcastService>;
