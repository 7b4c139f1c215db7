import type { Queryable } from '../store/db';

export interface RegistrationRow {
  last_name: string;
  first_name: string;
  patronymic: string | null;
  email: string;
  phone: string;
  city: string;
  registered_at: Date;
}

export interface TermsRow {
  version: string;
  title: string;
  body: string;
  published_at: Date;
  effective_at: Date;
}

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

export async function readRegistration(db: Queryable, accountId: string): Promise<RegistrationRow | undefined> {
  const [row] = await db.query<RegistrationRow>('select * from registrations where account_id = $1', [accountId]);
  return row;
}

/** Registers the account's admin, or updates the registration (who first registered stays). */
export async function saveRegistration(
  db: Queryable,
  accountId: string,
  userId: number,
  r: { lastName: string; firstName: string; patronymic: string | null; email: string; phone: string; city: string },
  at: Date,
): Promise<void> {
  await db.query(
    `insert into registrations (account_id, last_name, first_name, patronymic, email, phone, city, registered_by, registered_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
     on conflict (account_id) do update set last_name = excluded.last_name, first_name = excluded.first_name,
       patronymic = excluded.patronymic, email = excluded.email, phone = excluded.phone, city = excluded.city,
       updated_at = excluded.updated_at`,
    [accountId, r.lastName, r.firstName, r.patronymic, r.email, r.phone, r.city, userId, at],
  );
}

/** The account accepted this version (a second acceptance of it changes nothing). */
export async function recordAcceptance(db: Queryable, accountId: string, userId: number, version: string, at: Date): Promise<void> {
  await db.query('insert into terms_acceptances (account_id, version, accepted_at, accepted_by) values ($1, $2, $3, $4) on conflict do nothing', [
    accountId,
    version,
    at,
    userId,
  ]);
}

export async function insertTerms(db: Queryable, t: { version: string; title: string; body: string; publishedAt: Date; effectiveAt: Date }): Promise<void> {
  await db.query('insert into terms_versions (version, title, body, published_at, effective_at) values ($1, $2, $3, $4, $5)', [
    t.version,
    t.title,
    t.body,
    t.publishedAt,
    t.effectiveAt,
  ]);
}
