import type { Queryable } from '../store/db';

/**
 * The SQL of erasure. `docs/privacy.md` lists every table and what happens to it here; a test reads
 * that list against the schema, so a new table cannot arrive without a decision.
 */

/** Tables deleted by account, children before parents (most cascade anyway; naming them keeps the list honest). */
export const DELETED_BY_ACCOUNT = [
  'webhook_deliveries',
  'webhook_endpoints',
  'api_idempotency',
  'api_keys',
  'dp_runs',
  'dp_automations',
  'salesbot_runs',
  'quick_replies',
  'kommo_channel_outbox',
  'kommo_channel_replies',
  'kommo_channel_chats',
  'kommo_channel_users',
  'kommo_lead_outbox',
  'kommo_event_outbox',
  'kommo_note_outbox',
  'saved_audiences',
  'broadcast_recipients',
  'broadcasts',
  'messages',
  'conversations',
  'whatsapp_templates',
  'whatsapp_numbers',
  'kommo_tokens',
  'kommo_install_requests',
  'registrations',
  'account_users',
  'account_settings',
] as const;

/** Audit entries whose details are accounting facts (order, amount, reference); the others lose their details. */
const ACCOUNTING_AUDIT = ['order.%', 'payment.%', 'claim.%'];

/**
 * Deletes every personal row of one account (SPEC §9): customers' phones, names and messages, media
 * references, broadcast recipients, saved audiences, WhatsApp and Kommo tokens, registration, users.
 * Kept: the account row (marked), its licence periods and the accounting records (orders with the
 * buyer's legal details frozen on them, payments, refunds, credit, claims).
 */
export async function erasePersonalData(tx: Queryable, accountId: string, at: Date): Promise<void> {
  // The invoice names its buyer: the legal details stay on the orders once the registration goes.
  await tx.query(
    `update orders o set buyer = jsonb_build_object('name', concat_ws(' ', r.last_name, r.first_name, r.patronymic), 'city', r.city)
       from registrations r where r.account_id = o.account_id and o.account_id = $1 and o.buyer is null`,
    [accountId],
  );
  const numbers = await tx.query<{ id: string; phone_number_id: string }>('select id, phone_number_id from whatsapp_numbers where account_id = $1', [
    accountId,
  ]);
  await deleteInboxBodiesOf(
    tx,
    numbers.map((n) => n.phone_number_id),
  );
  await tx.query('delete from broadcast_number_leases where number_id = any($1::text[])', [numbers.map((n) => n.id)]);
  // Statuses waiting for one of the account's sends (they carry no account of their own).
  await tx.query(
    `delete from early_statuses e where exists (select 1 from messages m where m.account_id = $1 and m.wamid = e.wamid)
        or exists (select 1 from broadcast_recipients r where r.account_id = $1 and e.wamid in (r.wamid, r.accepted_wamid))`,
    [accountId],
  );
  for (const table of DELETED_BY_ACCOUNT) await tx.query(`delete from ${table} where account_id = $1`, [accountId]);
  await tx.query(`update audit_log set details = '{}'::jsonb where account_id = $1 and not (action like any($2::text[]))`, [accountId, ACCOUNTING_AUDIT]);
  await tx.query(
    `update accounts set name = null, installed_by_user_id = null, installed_by_name = null, installed_by_login = null,
       personal_data_deleted_at = $2, updated_at = $2 where id = $1`,
    [accountId, at],
  );
}

/** Webhook bodies that name one of these numbers: they hold the customers' phones, names and messages. */
async function deleteInboxBodiesOf(tx: Queryable, phoneNumberIds: string[]): Promise<void> {
  if (!phoneNumberIds.length) return;
  await tx.query(
    `delete from whatsapp_inbox where exists (
       select 1 from unnest($1::text[]) p(id)
        where jsonb_path_exists(body, '$.entry[*].changes[*].value.metadata.phone_number_id ? (@ == $id)', jsonb_build_object('id', p.id)))`,
    [phoneNumberIds],
  );
}

/** Processed webhook bodies are only a record of what came; a week is enough to look into a problem. */
export const INBOX_KEEP_DAYS = 7;

export async function deleteProcessedInboxBefore(tx: Queryable, before: Date): Promise<void> {
  await tx.query('delete from whatsapp_inbox where processed_at < $1', [before]);
}

const PURGE_LOCK = 728_451_994;
/** The account `a` has no paid licence in force at the moment `at` (a parameter); a demo does not count. */
const noPaidLicence = (at: string) =>
  `not exists (select 1 from licence_periods p where p.account_id = a.id and p.plan <> 'demo' and p.starts_at <= ${at} and p.ends_at > ${at})`;

export async function consentWithdrawnAt(db: Queryable, accountId: string): Promise<Date | null> {
  const [row] = await db.query<{ consent_withdrawn_at: Date | null }>('select consent_withdrawn_at from accounts where id = $1', [accountId]);
  return row?.consent_withdrawn_at ?? null;
}

/** Marks consent withdrawn at `at`; false if it already was. */
export async function markConsentWithdrawn(tx: Queryable, accountId: string, at: Date): Promise<boolean> {
  const rows = await tx.query('update accounts set consent_withdrawn_at = $2, updated_at = $2 where id = $1 and consent_withdrawn_at is null returning id', [
    accountId,
    at,
  ]);
  return rows.length > 0;
}

/** The purge's lock for this transaction (several instances may run the schedule; one purges); false if another holds it. */
export async function takePurgeLock(tx: Queryable): Promise<boolean> {
  const [lock] = await tx.query<{ locked: boolean }>('select pg_try_advisory_xact_lock($1) as locked', [PURGE_LOCK]);
  return lock?.locked === true;
}

/** Accounts that withdrew consent and whose personal data is not yet erased (again after a reinstall, which brings back tokens, the account name and the installing admin). */
export async function accountsToErase(tx: Queryable): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    'select id from accounts where consent_withdrawn_at is not null and (personal_data_deleted_at is null or personal_data_deleted_at < updated_at)',
  );
  return rows.map((r) => r.id);
}

/** Accounts with consent, unused since `unusedSince`, not suspended since they were last used, with no paid licence at `now`. */
export async function accountsToSuspend(tx: Queryable, unusedSince: Date, now: Date): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `select a.id from accounts a
      where a.consent_withdrawn_at is null and coalesce(a.last_used_at, a.installed_at) <= $1
        and (a.suspended_at is null or a.suspended_at < coalesce(a.last_used_at, a.installed_at)) and ${noPaidLicence('$2')}`,
    [unusedSince, now],
  );
  return rows.map((r) => r.id);
}

/** Disconnects the account's WhatsApp numbers and marks it suspended; how many numbers it had. */
export async function suspendAccount(tx: Queryable, accountId: string, at: Date): Promise<number> {
  const numbers = await tx.query<{ id: string }>('delete from whatsapp_numbers where account_id = $1 returning id', [accountId]);
  await tx.query('update accounts set suspended_at = $2, updated_at = $2 where id = $1', [accountId, at]);
  return numbers.length;
}

/** Accounts uninstalled or expired since `cutoff`, or unused since `unusedSince` with no paid licence at `now`. */
export async function accountsToPurge(tx: Queryable, cutoff: Date, unusedSince: Date, now: Date): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `select a.id from accounts a
     where (a.status = 'uninstalled' and a.uninstalled_at <= $1)
        or (a.status = 'active' and exists (select 1 from licence_periods p where p.account_id = a.id)
            and not exists (select 1 from licence_periods p where p.account_id = a.id and p.ends_at > $1))
        or (coalesce(a.last_used_at, a.installed_at) <= $2 and ${noPaidLicence('$3')})`,
    [cutoff, unusedSince, now],
  );
  return rows.map((r) => r.id);
}

/** Deletes the account row (its tables cascade). */
export async function deleteAccount(tx: Queryable, accountId: string): Promise<void> {
  await tx.query('delete from accounts where id = $1', [accountId]);
}
