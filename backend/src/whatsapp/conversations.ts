import { AppError } from '../http/app-error';

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
  new AppError(
    'opted_out',
    'This customer opted out of messages from this business: nothing is sent to them until they opt in again (an agent records it in the chat).',
    409,
  );
