import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { IdGenerator } from '../ids';
import type { LicenceService } from '../licensing/licence-service';
import type { Db } from '../store/db';
import type { CloudApi } from './cloud-api';
import { createConversationReads } from './conversation-reads';
import type { InboxProcessor } from './inbox-processor';
import type { NumbersService } from './numbers-service';
import type { Pacer } from './pacer';
import { createSender } from './sending';

/** The chat: conversations and their history (`conversation-reads.ts`), and sending under the relay rules (`sending.ts`). */
export function createChatService(deps: {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  cloud: CloudApi;
  numbers: NumbersService;
  licences: LicenceService;
  inbox: InboxProcessor;
  pacer: Pacer;
  /** Backoff between retries; tests pass one that does not wait. */
  sleep: (ms: number) => Promise<void>;
  /** Called after a message joined the Kommo timeline queue. */
  onNoteQueued?: () => void;
}) {
  const reads = createConversationReads(deps);
  const sender = createSender({ ...deps, reads });
  return { ...reads, send: sender.send };
}
export type ChatService = ReturnType<typeof createChatService>;
