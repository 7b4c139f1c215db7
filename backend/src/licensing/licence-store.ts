import type { AccountRow } from '../kommo/account-store';
import type { Queryable } from '../store/db';
import type { PeriodRow } from './licence-state';
import type { PlanId } from './plans';

const periodOf = (r: PeriodRow): PeriodRow => ({
  ...r,
  starts_at: new Date(r.starts_at),
  ends_at: new Date(r.ends_at),
  allowance_starts_at: new Date(r.allowance_starts_at),
});

export async function listPeriods(db: Queryable, accountId: string): Promise<PeriodRow[]> {
  const rows = await db.query<PeriodRow>('select * from licence_periods where account_id = $1 order by starts_at, created_at', [accountId]);
  return rows.map(periodOf);
}

/** SQL of an account's periods as one JSON array, in `listPeriods`' order (`account` is the account id's SQL). */
export const PERIODS_JSON = (account: string) =>
  `(select coalesce(json_agg(p order by p.starts_at, p.created_at), '[]'::json) from licence_periods p where p.account_id = ${account})`;

/** The periods `PERIODS_JSON` read, as `listPeriods` gives them. */
export const periodsFromJson = (periods: PeriodRow[] | string): PeriodRow[] =>
  (typeof periods === 'string' ? (JSON.parse(periods) as PeriodRow[]) : periods).map(periodOf);

const ACCOUNT_DATES = ['installed_at', 'uninstalled_at', 'kommo_plan_seen_at', 'consent_withdrawn_at', 'last_used_at'] as const;

/** SQL of an account (`account`: its id's SQL) and its periods as one JSON value, for a statement that reads a licence with other things. */
export const LICENCE_JSON = (account: string) =>
  `(select json_build_object('account', row_to_json(a), 'periods', ${PERIODS_JSON('a.id')}) from accounts a where a.id = ${account})`;

/** What `LICENCE_JSON` read, typed as `readLicence` gives it. */
export function licenceFromJson(value: { account: Record<string, unknown>; periods: PeriodRow[] } | string): { account: AccountRow; periods: PeriodRow[] } {
  const read = typeof value === 'string' ? (JSON.parse(value) as { account: Record<string, unknown>; periods: PeriodRow[] }) : value;
  const account = { ...read.account };
  for (const key of ACCOUNT_DATES) if (account[key] != null) account[key] = new Date(account[key] as string);
  return { account: account as unknown as AccountRow, periods: periodsFromJson(read.periods) };
}

/** The account and its periods in one statement (every licence decision starts from them). */
export async function readLicence(db: Queryable, accountId: string): Promise<{ account: AccountRow; periods: PeriodRow[] } | undefined> {
  const [row] = await db.query<AccountRow & { periods: PeriodRow[] | string }>(
    `select a.*, ${PERIODS_JSON('a.id')} as periods from accounts a where a.id = $1`,
    [accountId],
  );
  if (!row) return undefined;
  const { periods, ...account } = row;
  return { account, periods: periodsFromJson(periods) };
}

export async function insertPeriod(
  db: Queryable,
  p: {
    id: string;
    accountId: string;
    plan: PlanId;
    startsAt: Date;
    endsAt: Date;
    allowanceStartsAt: Date;
    messageLimit: number;
    numberLimit: number;
    orderId?: string;
    upgradedFrom?: string;
    at: Date;
  },
): Promise<void> {
  await db.query(
    `insert into licence_periods (id, account_id, plan, starts_at, ends_at, allowance_starts_at, message_limit, number_limit, order_id, upgraded_from, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [p.id, p.accountId, p.plan, p.startsAt, p.endsAt, p.allowanceStartsAt, p.messageLimit, p.numberLimit, p.orderId ?? null, p.upgradedFrom ?? null, p.at],
  );
}

export async function movePeriod(db: Queryable, id: string, startsAt: Date, endsAt: Date, allowanceStartsAt: Date): Promise<void> {
  await db.query('update licence_periods set starts_at = $2, ends_at = $3, allowance_starts_at = $4 where id = $1', [id, startsAt, endsAt, allowanceStartsAt]);
}

/** True the first time a Kommo account gets its demo; false ever after, even once its data is purged. */
export async function claimDemo(db: Queryable, kommoAccountId: number, at: Date): Promise<boolean> {
  const rows = await db.query('insert into demo_grants (kommo_account_id, granted_at) values ($1, $2) on conflict do nothing returning kommo_account_id', [
    kommoAccountId,
    at,
  ]);
  return rows.length > 0;
}

/**
 * Takes `count` messages from the allowance in force at `at`, or none: the check and the increment
 * are one statement, so concurrent sends can never both take the last message.
 */
export async function takeMessages(db: Queryable, accountId: string, count: number, at: Date): Promise<{ used: number; limit: number } | undefined> {
  const rows = await db.query<{ messages_used: number; message_limit: number }>(`${TAKE_MESSAGES('$1', '$2', '$3')} returning messages_used, message_limit`, [
    accountId,
    count,
    at,
  ]);
  return rows[0] ? { used: rows[0].messages_used, limit: rows[0].message_limit } : undefined;
}

/** The update that takes `count` messages from `account`'s allowance in force at `at` (SQL expressions), or none; the send path runs it inside its own statement. */
export const TAKE_MESSAGES = (account: string, count: string, at: string) =>
  `update licence_periods set messages_used = messages_used + ${count}
     where id = (select id from licence_periods where account_id = ${account} and allowance_starts_at <= ${at} and ends_at > ${at}
                 order by starts_at desc limit 1)
       and messages_used + ${count} <= message_limit`;

/**
 * Gives back messages taken for sends that never went out: to the period they were taken from when
 * the caller knows it (a reservation made in an earlier period), else to the allowance in force at `at`.
 */
export async function giveBackMessages(db: Queryable, accountId: string, count: number, at: Date, periodId: string | null = null): Promise<void> {
  await db.query(
    `update licence_periods set messages_used = messages_used - $2
     where id = coalesce($4::text, (select id from licence_periods where account_id = $1 and allowance_starts_at <= $3 and ends_at > $3
                                    order by starts_at desc limit 1))
       and account_id = $1 and messages_used >= $2`,
    [accountId, count, at, periodId],
  );
}

/**
 * Counts again messages given back for sends thought not to have gone out, that Meta proves did (a
 * broadcast cancelled while its send was on its way): to the period they were reserved from when the
 * caller knows it, else to the allowance in force at `at` (when they were given back); past the limit
 * if need be, since they went.
 */
export async function chargeMessages(db: Queryable, accountId: string, count: number, at: Date, periodId: string | null = null): Promise<void> {
  await db.query(
    `update licence_periods set messages_used = messages_used + $2
     where id = coalesce($4::text, (select id from licence_periods where account_id = $1 and allowance_starts_at <= $3 and ends_at > $3
                                    order by starts_at desc limit 1))
       and account_id = $1`,
    [accountId, count, at, periodId],
  );
}

/** The periods an order bought end now (those still running end at once, later ones never start). */
export async function endPeriodsOfOrder(db: Queryable, orderId: string, now: Date): Promise<void> {
  await db.query('update licence_periods set ends_at = greatest(starts_at, $2) where order_id = $1 and ends_at > $2', [orderId, now]);
}

export async function insertOutage(
  db: Queryable,
  o: { id: string; startsAt: Date; endsAt: Date; note: string | null; creditDays: number; at: Date },
): Promise<void> {
  await db.query('insert into outages (id, starts_at, ends_at, note, credit_days, recorded_at) values ($1, $2, $3, $4, $5, $6)', [
    o.id,
    o.startsAt,
    o.endsAt,
    o.note,
    o.creditDays,
    o.at,
  ]);
}

/** Accounts with a licence period overlapping [from, to). */
export async function accountsLicensedDuring(db: Queryable, from: Date, to: Date): Promise<string[]> {
  const rows = await db.query<{ account_id: string }>('select distinct account_id from licence_periods where starts_at < $2 and ends_at > $1', [from, to]);
  return rows.map((r) => r.account_id);
}

export async function creditOutage(db: Queryable, outageId: string, accountId: string, days: number): Promise<void> {
  await db.query('insert into outage_credits (outage_id, account_id, days) values ($1, $2, $3)', [outageId, accountId, days]);
}
