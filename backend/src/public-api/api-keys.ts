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
import { LICENCE_JSON, licenceFromJson } from '../licensing/licence-store';
import type { PeriodRow } from '../licensing/licence-state';

interface KeyRow {
  id: string;
  account_id: string;
  name: string;
  prefix: string;
  hash: string;
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

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
      const rows = await db.query<KeyRow>('select * from api_keys where account_id = $1 order by created_at desc', [accountId]);
      return rows.map(view);
    },

    /** The new key, in full, this once. */
    async create(accountId: string, userId: number, name: string) {
      const active = await db.query('select 1 from api_keys where account_id = $1 and revoked_at is null', [accountId]);
      if (active.length >= 20) throw new AppError('too_many_keys', 'An account can have 20 active API keys; revoke one first.', 409);
      const key = `${PREFIX}${randomBytes(32).toString('base64url')}`;
      const id = deps.ids();
      await db.transaction(async (tx) => {
        await tx.query('insert into api_keys (id, account_id, name, prefix, hash, created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7)', [
          id,
          accountId,
          name,
          key.slice(0, 10),
          hash(key),
          userId,
          clock.now(),
        ]);
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'api_key.created', details: { keyId: id, name }, at: clock.now() });
      });
      const [row] = await db.query<KeyRow>('select * from api_keys where id = $1', [id]);
      return { ...view(row!), key };
    },

    async revoke(accountId: string, userId: number, id: string) {
      const rows = await db.query<KeyRow>('update api_keys set revoked_at = coalesce(revoked_at, $3) where id = $1 and account_id = $2 returning *', [id, accountId, clock.now()]);
      if (!rows.length) throw notFound('No such API key in this account.');
      await recordAudit(db, { accountId, actor: `user:${userId}`, action: 'api_key.revoked', details: { keyId: id }, at: clock.now() });
      return view(rows[0]!);
    },

    /**
     * The key's account and owner, with the owner's access now (`auth/access.ts`) and the account's
     * licence, or 401; notes when it was last used (at most once a minute). One statement: it runs on
     * every public API request.
     */
    async authenticate(key: string): Promise<{ id: string; accountId: string; createdBy: number; access: AccessRow; licence: { account: AccountRow; periods: PeriodRow[] } | null }> {
      const digest = hash(key);
      const now = clock.now();
      const [row] = await db.query<KeyRow & Omit<AccessRow, 'account_id' | 'kommo_user_id'> & { licence: Parameters<typeof licenceFromJson>[0] | null }>(
        `with k as (select * from api_keys where hash = $1),
         touched as (
           update api_keys set last_used_at = $2
           where id = (select id from k where revoked_at is null) and (last_used_at is null or last_used_at < $3) returning id
         )
         select k.*, a.status, a.consent_withdrawn_at, u.enabled, u.is_admin, ${LICENCE_JSON('k.account_id')} as licence
         from k left join accounts a on a.id = k.account_id
           left join account_users u on u.account_id = k.account_id and u.kommo_user_id = k.created_by`,
        [digest, now, new Date(now.getTime() - 60_000)],
      );
      if (!row || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(digest))) throw unauthorized('invalid_api_key', 'This API key is not valid.');
      if (row.revoked_at) throw unauthorized('api_key_revoked', 'This API key was revoked.');
      const access: AccessRow = { account_id: row.account_id, kommo_user_id: String(row.created_by), status: row.status, consent_withdrawn_at: row.consent_withdrawn_at, enabled: row.enabled, is_admin: row.is_admin };
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
export function apiKeyAuth(deps: { keys: ApiKeys; licences: LicenceService; limiter: ReturnType<typeof createKeyRateLimiter>; isPublicRoute: (method: string, path: string) => boolean }) {
  return {
    async authenticate(key: string, method: string, path: string, retryAfter: (seconds: number) => void): Promise<Session> {
      const found = await deps.keys.authenticate(key);
      // Checked at each use rather than revoked when the role changes (decision 016): the key works
      // exactly while its creator is an enabled admin of an installed account.
      const gone = accountRefusal(found.access);
      if (gone) throw gone;
      const creator = currentAccess(found.access);
      if ('refused' in creator || creator.role !== 'admin') {
        throw unauthorized('api_key_suspended', 'This API key no longer works: the admin who created it is disabled or no longer an admin. An admin can create a new key.');
      }
      if (!deps.isPublicRoute(method, `/api/v1${path}`)) throw forbidden('not_public', 'API keys open the public API only (see /openapi.json); this route is for the widget.');
      const decision = found.licence ? deps.licences.decisionFor(deps.licences.snapshotOf(found.licence.account, found.licence.periods), 'api_keys') : undefined;
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
