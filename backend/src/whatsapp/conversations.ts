import { AppError } from '../http/app-error';
import type { Queryable } from '../store/db';

/** The conversation between one of our numbers and a customer, created on first contact; returns its id. */
export async function ensureConversation(tx: Queryable, c: { id: string; accountId: string; numberId: string; waId: string; name?: string; at: Date }): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `insert into conversations (id, account_id, number_id, wa_id, customer_name, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6)
     on conflict (number_id, wa_id) do update set customer_name = coalesce(excluded.customer_name, conversations.customer_name), updated_at = excluded.updated_at
     returning id`,
    [c.id, c.accountId, c.numberId, c.waId, c.name ?? null, c.at],
  );
  return row!.id;
}

/**
 * SQL that holds when user `user` took part with customer `waId` of account `account` (each a SQL
 * expression or parameter): they sent the customer a message from any of the account's numbers, or
 * they are the Kommo user responsible for a lead through which a broadcast reached the customer.
 * See `auth/viewer.ts` for who is narrowed by it.
 */
export const tookPartWith = (account: string, waId: string, user: string) =>
  `(exists (select 1 from messages tm join conversations tc on tc.id = tm.conversation_id
            where tm.account_id = ${account} and tm.sent_by = ${user} and tc.wa_id = ${waId})
    or exists (select 1 from broadcast_recipients tr where tr.account_id = ${account} and tr.wa_id = ${waId} and tr.lead_owner_id = ${user}))`;

export const optedOutError = () =>
  new AppError('opted_out', 'This customer opted out of messages from this business: nothing is sent to them until they opt in again (an agent records it in the chat).', 409);
