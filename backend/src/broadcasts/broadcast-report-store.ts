import type { Queryable } from '../store/db';
import type { ReportRow } from './broadcast-report';

/** The broadcast a report is asked for, if it is the account's. */
export async function findReportedBroadcast(db: Queryable, accountId: string, broadcastId: string): Promise<{ name: string; created_by: string } | undefined> {
  const [b] = await db.query<{ name: string; created_by: string }>('select name, created_by from broadcasts where id = $1 and account_id = $2', [
    broadcastId,
    accountId,
  ]);
  return b;
}

/**
 * A page of a broadcast's recipients in send order, after `afterSeq`, with where each ended: the
 * message's status, the first reply after the send, and the customer's opt-out (from any number).
 */
export async function reportPage(db: Queryable, broadcastId: string, afterSeq: number, limit: number): Promise<ReportRow[]> {
  return db.query<ReportRow>(
    `select r.seq, r.name, case when r.wa_id is not null then '+' || r.wa_id else r.raw_phone end as phone,
            r.kommo_lead_id, r.kommo_contact_id, r.state, r.exclusion, m.status as message_status,
            r.error_code, r.error_title, r.sent_at, r.replied_at, reply.text as reply_text, optout.at as opted_out_at
     from broadcast_recipients r
       left join messages m on m.id = r.message_id
       left join lateral (
         select coalesce(i.content ->> 'body', i.content ->> 'text', i.content ->> 'caption', '[' || i.type || ']') as text
         from messages i
         where i.conversation_id = m.conversation_id and i.direction = 'in' and i.created_at >= r.replied_at
         order by i.created_at, i.id limit 1
       ) reply on r.replied_at is not null
       left join lateral (
         select max(c.opted_out_at) as at from conversations c where c.account_id = r.account_id and c.wa_id = r.wa_id
       ) optout on true
     where r.broadcast_id = $1 and r.seq > $2
     order by r.seq
     limit $3`,
    [broadcastId, afterSeq, limit],
  );
}
