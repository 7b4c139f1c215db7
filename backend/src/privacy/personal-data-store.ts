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
  const numbers = await tx.query<{ id: string; phone_number_id: string }>('select id, phone_number_id from whatsapp_numbers where account_id = $1', [accountId]);
  await deleteInboxBodiesOf(tx, numbers.map((n) => n.phone_number_id));
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
