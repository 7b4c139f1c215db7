import type { Queryable } from '../store/db';

export interface TermsRow {
  version: string;
  title: string;
  body: string;
  published_at: Date;
  effective_at: Date;
}

/** A new version takes effect 7 days after it is published (SPEC §4.6). */
export const TERMS_NOTICE_DAYS = 7;

/** The version in effect at `at`: the newest whose effective date has come. */
export async function termsInEffect(db: Queryable, at: Date): Promise<TermsRow | undefined> {
  const rows = await db.query<TermsRow>('select * from terms_versions where effective_at <= $1 order by effective_at desc limit 1', [at]);
  return rows[0];
}

export async function upcomingTerms(db: Queryable, at: Date): Promise<TermsRow | undefined> {
  const rows = await db.query<TermsRow>('select * from terms_versions where effective_at > $1 order by effective_at limit 1', [at]);
  return rows[0];
}

export async function findTerms(db: Queryable, version: string): Promise<TermsRow | undefined> {
  const rows = await db.query<TermsRow>('select * from terms_versions where version = $1', [version]);
  return rows[0];
}

export async function latestAcceptance(db: Queryable, accountId: string): Promise<{ version: string; accepted_at: Date } | undefined> {
  const rows = await db.query<{ version: string; accepted_at: Date }>(
    `select a.version, a.accepted_at from terms_acceptances a join terms_versions v on v.version = a.version
     where a.account_id = $1 order by v.effective_at desc limit 1`,
    [accountId],
  );
  return rows[0];
}
