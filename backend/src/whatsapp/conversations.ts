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
