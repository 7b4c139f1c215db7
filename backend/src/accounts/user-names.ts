import type { Logger } from 'pino';
import type { BackgroundTasks } from '../background-tasks';
import { DAY_MS, type Clock } from '../clock';
import type { KommoAccess } from '../kommo/kommo-access';
import type { KommoApi } from '../kommo/kommo-api';
import type { Db } from '../store/db';
import type { Pacer } from '../whatsapp/pacer';
import { setNameFromKommo } from './user-store';

/** A name read from Kommo is read again after a day: renames show up, and a user costs Kommo one call a day at most. */
const FRESH_MS = DAY_MS;
/** How long a first sign-in waits for its name before going on without it (it arrives a moment later). */
const FIRST_READ_WAIT_MS = 2000;

/**
 * The names colleagues see as "sent by" and that go into Kommo notes come from Kommo's users API
 * (SPEC §9), never from what a browser reports: a browser could sign its messages with anyone's
 * name. Read with the account's Kommo token, within the account's Kommo pace.
 */
export function createUserNames(deps: { db: Db; clock: Clock; logger: Logger; kommo: KommoApi; access: KommoAccess; pacer: Pacer; tasks: BackgroundTasks }) {
  async function read(accountId: string, userId: number): Promise<void> {
    try {
      const token = await deps.access.accessToken(accountId);
      // Someone is waiting for their widget: ahead of bulk reads (a broadcast's audience).
      const user = await deps.pacer.run(accountId, () => deps.kommo.getUser(token.host, token.accessToken, userId), { urgent: true });
      await setNameFromKommo(deps.db, { accountId, userId, name: user.name.trim() || null, at: deps.clock.now() });
    } catch (err) {
      // The name stays as it was; the next sign-in asks again.
      deps.logger.warn({ err, accountId, userId }, 'a user’s name could not be read from Kommo');
    }
  }

  return {
    /**
     * After a sign-in: a name never read is read now (waiting up to 2 s, so the widget greets its user
     * by name); one read over a day ago is read again in the background.
     */
    async afterSignIn(accountId: string, userId: number, syncedAt: Date | null): Promise<void> {
      if (syncedAt && deps.clock.now().getTime() - new Date(syncedAt).getTime() < FRESH_MS) return;
      const reading = new Promise<void>((resolve) => deps.tasks.run('kommo user name', () => read(accountId, userId).finally(resolve)));
      if (syncedAt) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([reading, new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_READ_WAIT_MS)))]);
      clearTimeout(timer);
    },
  };
}
export type UserNames = ReturnType<typeof createUserNames>;
