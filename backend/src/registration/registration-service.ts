import type { ErrorCode } from '../../../contract/error-codes';
import type { AccountAdmin, RegistrationInput, TermsView } from '../../../contract/licence';
import { recordAudit } from '../audit/audit-log';
import { DAY_MS, type Clock } from '../clock';
import { AppError, badRequest } from '../http/app-error';
import type { Db } from '../store/db';
import {
  findTerms,
  insertTerms,
  latestAcceptance,
  readRegistration,
  recordAcceptance,
  saveRegistration,
  termsInEffect,
  upcomingTerms,
} from './registration-store';

/** A new version takes effect 7 days after it is published (SPEC §4.6). */
export const TERMS_NOTICE_DAYS = 7;

/** Registration of the account's admin, acceptance of the licence terms, and publishing new terms. */
export function createRegistrationService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function termsView(accountId: string): Promise<TermsView> {
    const now = clock.now();
    const current = await termsInEffect(db, now);
    if (!current) throw new AppError('terms_missing', 'No licence terms are in effect.', 503);
    const upcoming = await upcomingTerms(db, now);
    const accepted = await latestAcceptance(db, accountId);
    return {
      current: { version: current.version, title: current.title, body: current.body, effectiveAt: new Date(current.effective_at).toISOString() },
      upcoming: upcoming ? { version: upcoming.version, effectiveAt: new Date(upcoming.effective_at).toISOString() } : null,
      acceptedVersion: accepted?.version ?? null,
      acceptedAt: accepted ? new Date(accepted.accepted_at).toISOString() : null,
      acceptanceRequired: accepted?.version !== current.version,
    };
  }

  async function registration(accountId: string) {
    const row = await readRegistration(db, accountId);
    return row
      ? {
          lastName: row.last_name,
          firstName: row.first_name,
          patronymic: row.patronymic,
          email: row.email,
          phone: row.phone,
          city: row.city,
          registeredAt: new Date(row.registered_at).toISOString(),
        }
      : null;
  }

  async function mustBeCurrentTerms(version: string) {
    const current = await termsInEffect(db, clock.now());
    if (!current || current.version !== version) {
      throw badRequest(
        'terms_outdated',
        `Version ${version} of the terms is not the one in effect${current ? ` (${current.version})` : ''}. Reload and read the current terms.`,
      );
    }
  }

  async function view(accountId: string) {
    const [reg, terms] = await Promise.all([registration(accountId), termsView(accountId)]);
    const mayOrder: { allowed: true } | { allowed: false; code: ErrorCode; message: string } = !reg
      ? { allowed: false, code: 'registration_required', message: 'Register the account before the first paid order.' }
      : terms.acceptanceRequired
        ? { allowed: false, code: 'terms_acceptance_required', message: `Accept version ${terms.current.version} of the terms before the next paid order.` }
        : { allowed: true };
    return { registration: reg, terms, mayOrder } satisfies AccountAdmin;
  }

  return {
    view: (accountId: string): Promise<AccountAdmin> => view(accountId),

    /** Payments call this before creating a paid order. */
    async assertMayOrder(accountId: string): Promise<void> {
      const { mayOrder } = await view(accountId);
      if (!mayOrder.allowed) throw new AppError(mayOrder.code, mayOrder.message, 409);
    },

    async register(accountId: string, userId: number, input: RegistrationInput & { patronymic?: string }) {
      await mustBeCurrentTerms(input.termsVersion);
      const at = clock.now();
      await db.transaction(async (tx) => {
        await saveRegistration(tx, accountId, userId, { ...input, patronymic: input.patronymic ?? null }, at);
        await recordAcceptance(tx, accountId, userId, input.termsVersion, at);
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'registration.saved', details: { termsVersion: input.termsVersion }, at });
      });
    },

    async acceptTerms(accountId: string, userId: number, version: string) {
      await mustBeCurrentTerms(version);
      const at = clock.now();
      await db.transaction(async (tx) => {
        await recordAcceptance(tx, accountId, userId, version, at);
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'terms.accepted', details: { version }, at });
      });
    },

    /** The operator publishes a new version; it takes effect 7 days later. */
    async publishTerms(input: { version: string; title: string; body: string }) {
      if (await findTerms(db, input.version)) throw new AppError('terms_exists', `Terms version ${input.version} already exists.`, 409);
      const at = clock.now();
      const effectiveAt = new Date(at.getTime() + TERMS_NOTICE_DAYS * DAY_MS);
      await db.transaction(async (tx) => {
        await insertTerms(tx, { ...input, publishedAt: at, effectiveAt });
        await recordAudit(tx, { accountId: null, actor: 'operator', action: 'terms.published', details: { version: input.version }, at });
      });
      return { version: input.version, publishedAt: at.toISOString(), effectiveAt: effectiveAt.toISOString() };
    },

    async terms(version: string) {
      return findTerms(db, version);
    },
  };
}
export type RegistrationService = ReturnType<typeof createRegistrationService>;
