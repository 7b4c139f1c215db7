import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { accountRefusal, currentAccess, type AccessRow } from '../auth/access';
import type { Session } from '../auth/session-token';
import { AppError, forbidden, notFound, unauthorized } from '../http/app-error';
import type { LicenceService } from '../licensing/licence-service';
import type { IdGenerator } from '../ids';
import type { Db } from '../store/db';
import type { AccountRow } from '../kommo/account-store';
import { licenceFromJson } from '../licensing/licence-store';
import { countActiveKeys, findKeyWithAccess, insertKey, listKeys, readKey, revokeKey, type KeyRow } from './api-key-store';
import type { PeriodRow } from '../licensing/licence-state';

const PREFIX = 'wbk_';
const hash = (key: string) => createHash('sha256').update(key).digest('hex');

const view = (k: KeyRow) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  createdAt: new Date(k.created_at).toISOString(),
  lastUsedAt: k.last_used_at ? new Date(k.last_used_at).toISOString() : null,
  revokedAt: k.revoked_at ? new Date(k.revoked_at).toISOString() : null,
});

/** Per-account API keys (SPEC §7): shown once at creation, stored as a hash, revocable. */
export function createApiKeys(deps: { db: Db; clock: Clock; ids: IdGenerator }) {
  const { db, clock } = deps;
  return {
    async list(accountId: string) {
      return (await listKeys(db, accountId)).map(view);
    },

    /** The new key, in full, this once. */
    async create(accountId: string, userId: number, name: string) {
      if ((await countActiveKeys(db, accountId)) >= 20) throw new AppError('too_many_keys', 'An account can have 20 active API keys; revoke one first.', 409);
      const key = `${PREFIX}${randomBytes(32).toString('base64url')}`;
      const id = deps.ids();
      await db.transaction(async (tx) => {
        await insertKey(tx, { id, accountId, name, prefix: key.slice(0, 10), hash: hash(key), createdBy: userId, at: clock.now() });
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'api_key.created', details: { keyId: id, name }, at: clock.now() });
      });
      const row = await readKey(db, id);
      return { ...view(row!), key };
    },

    async revoke(accountId: string, userId: number, id: string) {
      const row = await revokeKey(db, accountId, id, clock.now());
      if (!row) throw notFound('No such API key in this account.');
      await recordAudit(db, { accountId, actor: `user:${userId}`, action: 'api_key.revoked', details: { keyId: id }, at: clock.now() });
      return view(row);
    },

    /**
     * The key's account and owner, with the owner's access now (`auth/access.ts`) and the account's
     * licence, or 401; notes when it was last used (at most once a minute). One statement: it runs on
     * every public API request.
     */
    async authenticate(
      key: string,
    ): Promise<{ id: string; accountId: string; createdBy: number; access: AccessRow; licence: { account: AccountRow; periods: PeriodRow[] } | null }> {
      const digest = hash(key);
      const now = clock.now();
      const row = await findKeyWithAccess(db, digest, now, new Date(now.getTime() - 60_000));
      if (!row || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(digest))) throw unauthorized('invalid_api_key', 'This API key is not valid.');
      if (row.revoked_at) throw unauthorized('api_key_revoked', 'This API key was revoked.');
      const access: AccessRow = {
        account_id: row.account_id,
        kommo_user_id: String(row.created_by),
        status: row.status,
        consent_withdrawn_at: row.consent_withdrawn_at,
        enabled: row.enabled,
        is_admin: row.is_admin,
      };
      return { id: row.id, accountId: row.account_id, createdBy: Number(row.created_by), access, licence: row.licence ? licenceFromJson(row.licence) : null };
    },
  };
}
export type ApiKeys = ReturnType<typeof createApiKeys>;

/**
 * Requests per key: a token bucket of `burst`, refilled at `perSecond`. Per instance (each
 * instance allows the rate); a refusal names when to come back.
 */
export function createKeyRateLimiter(options: { perSecond: number; burst: number; now?: () => number }) {
  const now = options.now ?? (() => Date.now());
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(keyId: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
      const t = now();
      // Callers may be many (source addresses): buckets that refilled are the same as none.
      if (buckets.size > 10_000) for (const [k, old] of buckets) if (old.tokens + ((t - old.at) / 1000) * options.perSecond >= options.burst) buckets.delete(k);
      const b = buckets.get(keyId) ?? { tokens: options.burst, at: t };
      b.tokens = Math.min(options.burst, b.tokens + ((t - b.at) / 1000) * options.perSecond);
      b.at = t;
      buckets.set(keyId, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / options.perSecond)) };
    },
  };
}

/**
 * How `requireSession` treats a key: it must be valid and not revoked, the account must allow API
 * keys (Kommo Advanced or higher, a licence in force), its creator must still be an enabled admin
 * (SPEC §9), the route must be public, and the key under its rate. The request then acts as the
 * admin who created the key (their name is on what it sends).
 */
export function apiKeyAuth(deps: {
  keys: ApiKeys;
  licences: LicenceService;
  limiter: ReturnType<typeof createKeyRateLimiter>;
  isPublicRoute: (method: string, path: string) => boolean;
}) {
  return {
    async authenticate(key: string, method: string, path: string, retryAfter: (seconds: number) => void): Promise<Session> {
      const found = await deps.keys.authenticate(key);
      // Checked at each use rather than revoked when the role changes (decision 016): the key works
      // exactly while its creator is an enabled admin of an installed account.
      const gone = accountRefusal(found.access);
      if (gone) throw gone;
      const creator = currentAccess(found.access);
      if ('refused' in creator || creator.role !== 'admin') {
        throw unauthorized(
          'api_key_suspended',
          'This API key no longer works: the admin who created it is disabled or no longer an admin. An admin can create a new key.',
        );
      }
      if (!deps.isPublicRoute(method, `/api/v1${path}`))
        throw forbidden('not_public', 'API keys open the public API only (see /openapi.json); this route is for the widget.');
      const decision = found.licence
        ? deps.licences.decisionFor(deps.licences.snapshotOf(found.licence.account, found.licence.periods), 'api_keys')
        : undefined;
      if (decision && !decision.allowed) deps.licences.refuse(decision);
      const allowed = deps.limiter.take(found.id);
      if (!allowed.ok) {
        retryAfter(allowed.retryAfterSeconds);
        throw new AppError('rate_limited', `Too many requests with this API key; retry in ${allowed.retryAfterSeconds} s.`, 429);
      }
      return { accountId: found.accountId, userId: found.createdBy, role: 'agent' };
    },
  };
}
