import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { recordKommoUser } from '../accounts/user-store';
import { recordAudit } from '../audit/audit-log';
import type { BackgroundTasks } from '../background-tasks';
import { DAY_MS, type Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { unauthorized } from '../http/app-error';
import type { IdGenerator } from '../ids';
import { publishAccessChange } from '../live/live-events';
import type { Db, Queryable } from '../store/db';
import { findAccountByKommoId, markUninstalled, saveTokens, upsertInstalledAccount } from './account-store';
import { claimInstallRequest, finishInstallRequest, insertInstallRequest, pendingInstallRequestIds, purgeInstallRequests } from './install-request-store';
import type { KommoApi } from './kommo-api';

export interface InstallServiceDeps {
  db: Db;
  kommo: KommoApi;
  box: SecretBox;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  tasks: BackgroundTasks;
  clientId: string;
  clientSecret: string;
  /** Starts the demo on a Kommo account's first install, inside the install transaction. */
  onInstalled(tx: Queryable, accountId: string, kommoAccountId: number): Promise<unknown>;
  /** Called in the uninstall's transaction (the native chat channel disconnects). */
  onUninstalled?(tx: Queryable, accountId: string): Promise<unknown>;
}

export interface InstallHookCall {
  code: string;
  referer: string;
  state?: string;
  clientId?: string;
  fromWidget: boolean;
}

/** Kommo codes live 20 minutes; an older pending request cannot succeed. */
const CODE_LIFETIME_MS = 20 * 60_000;
const LEASE_MS = 60_000;

export type InstallService = ReturnType<typeof createInstallService>;

export function createInstallService(deps: InstallServiceDeps) {
  const { db, kommo, box, clock, logger } = deps;

  /**
   * The admin who installed (SPEC §4.6): the token's own user. Their name and login are a courtesy
   * for the operator, and their name is the one colleagues see on what they send (SPEC §9); when
   * Kommo will not give them the install goes on with the id alone.
   */
  async function installingAdmin(host: string, accessToken: string, userId: number | undefined) {
    if (!userId) return null;
    try {
      const user = await kommo.getUser(host, accessToken, userId);
      return { id: userId, name: user.name || null, login: user.login, isAdmin: user.isAdmin };
    } catch (err) {
      logger.warn({ err, userId }, 'the installing admin could not be read from Kommo; only the id is kept');
      return { id: userId, name: null, login: null, isAdmin: false };
    }
  }

  /** Exchanges one stored code for tokens, reads the account, then writes account and tokens in one transaction. */
  async function exchange(requestId: string): Promise<void> {
    const started = clock.now();
    const request = await claimInstallRequest(db, clock, requestId, LEASE_MS);
    if (!request) return;
    try {
      if (started.getTime() - new Date(request.received_at).getTime() > CODE_LIFETIME_MS) {
        throw new Error('the authorization code expired before it could be exchanged');
      }
      const tokens = await kommo.exchangeCode(request.referer, box.decrypt(request.code_enc));
      const info = await kommo.getAccount(request.referer, tokens.accessToken);
      const installedBy = await installingAdmin(request.referer, tokens.accessToken, info.currentUserId);
      const at = clock.now();
      const accountId = await db.transaction(async (tx) => {
        const id = await upsertInstalledAccount(tx, { id: deps.ids(), host: request.referer, info, installedBy, at });
        await saveTokens(tx, {
          accountId: id,
          accessTokenEnc: box.encrypt(tokens.accessToken),
          refreshTokenEnc: box.encrypt(tokens.refreshToken),
          accessExpiresAt: new Date(at.getTime() + tokens.expiresIn * 1000),
          at,
        });
        if (installedBy?.name) await recordKommoUser(tx, { accountId: id, userId: installedBy.id, name: installedBy.name, isAdmin: installedBy.isAdmin, at });
        await deps.onInstalled(tx, id, info.id);
        await finishInstallRequest(tx, { id: request.id, status: 'done', accountId: id, at });
        await recordAudit(tx, { accountId: id, actor: 'kommo', action: 'account.installed', details: { host: request.referer }, at });
        return id;
      });
      logger.info({ requestId, accountId, kommoAccountId: info.id }, 'Kommo install completed');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      logger.warn({ err, requestId, referer: request.referer }, 'Kommo install failed');
      await finishInstallRequest(db, { id: request.id, status: 'failed', error: message, at: clock.now() });
    }
  }

  return {
    /** Stores the hook call durably and schedules the exchange; never waits for Kommo. */
    async receiveInstallHook(call: InstallHookCall): Promise<boolean> {
      if (call.clientId && call.clientId !== deps.clientId) {
        throw unauthorized('wrong_client', 'This install call is for another integration.');
      }
      const id = deps.ids();
      const codeHash = createHash('sha256').update(call.code).digest('hex');
      const stored = await insertInstallRequest(db, {
        id,
        codeEnc: box.encrypt(call.code),
        codeHash,
        referer: call.referer,
        state: call.state,
        clientId: call.clientId,
        fromWidget: call.fromWidget,
        at: clock.now(),
      });
      // A code sent again is already being (or was) exchanged: no second row, no second call to Kommo.
      if (stored) deps.tasks.run('kommo install', () => exchange(id));
      return stored;
    },

    /** Housekeeping: finished hook calls older than 30 days are forgotten. */
    async purgeOldRequests(): Promise<number> {
      return purgeInstallRequests(db, new Date(clock.now().getTime() - 30 * DAY_MS));
    },

    /** Picks up codes a stopped process had stored but not exchanged. */
    async resumePending(): Promise<void> {
      for (const id of await pendingInstallRequestIds(db, clock)) deps.tasks.run('kommo install', () => exchange(id));
    },

    /** Kommo's disable hook: verified, then the account is marked uninstalled and its tokens dropped. */
    async receiveUninstallHook(call: { clientUuid: string; accountId: number; signature: string }): Promise<void> {
      const expected = createHmac('sha256', deps.clientSecret).update(`${deps.clientId}|${call.accountId}`).digest();
      const given = Buffer.from(call.signature, 'hex');
      const valid = call.clientUuid === deps.clientId && given.length === expected.length && timingSafeEqual(given, expected);
      if (!valid) {
        logger.warn({ kommoAccountId: call.accountId }, 'uninstall hook refused: bad signature');
        throw unauthorized('invalid_signature', 'The uninstall call is not signed by Kommo for this integration.');
      }
      const at = clock.now();
      await db.transaction(async (tx) => {
        const account = await findAccountByKommoId(tx, call.accountId);
        if (!account || account.status === 'uninstalled') return;
        await markUninstalled(tx, account.id, at);
        await deps.onUninstalled?.(tx, account.id);
        await publishAccessChange(tx, account.id);
        await recordAudit(tx, { accountId: account.id, actor: 'kommo', action: 'account.uninstalled', at });
      });
    },
  };
}
