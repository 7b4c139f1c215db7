/** What the widget and the public API see of a conversation and of a message: rows as the store reads them, and their views. */

/** The customer-service window: 24 hours from the customer's last message (SPEC §5). */
export const WINDOW_MS = 24 * 3600_000;

export interface ConversationRow {
  id: string;
  account_id: string;
  number_id: string;
  wa_id: string;
  customer_name: string | null;
  last_inbound_at: Date | string | null;
  opted_out_at: Date | string | null;
  last_read_at: Date | string | null;
  username?: string | null;
  unread?: string | number;
}

export interface MessageRow {
  id: string;
  direction: 'in' | 'out';
  type: string;
  content: Record<string, unknown>;
  status: 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
  error_code: number | null;
  error_title: string | null;
  sent_by: string | null;
  sent_by_name: string | null;
  created_at: Date;
  reaction: string | null;
  /** The quoted message of a reply, when it is in the conversation. */
  quoted_id: string | null;
  quoted_direction: 'in' | 'out' | null;
  quoted_type: string | null;
  quoted_content: Record<string, unknown> | null;
}

/** When the conversation's window closes, or null when it is closed (or never opened: the customer never wrote). */
export function windowClosesAt(c: Pick<ConversationRow, 'last_inbound_at'>, now: Date): Date | null {
  if (!c.last_inbound_at) return null;
  const closes = new Date(new Date(c.last_inbound_at).getTime() + WINDOW_MS);
  return closes > now ? closes : null;
}

export const conversationView = (c: ConversationRow, now: Date) => ({
  id: c.id,
  numberId: c.number_id,
  waId: c.wa_id,
  customerName: c.customer_name,
  windowClosesAt: windowClosesAt(c, now)?.toISOString() ?? null,
  optedOut: Boolean(c.opted_out_at),
  username: c.username ?? null,
  unread: Number(c.unread ?? 0),
});

export const messageView = (m: MessageRow) => ({
  id: m.id,
  direction: m.direction,
  type: m.type,
  content: m.content,
  status: m.status,
  error: m.error_code !== null ? { code: m.error_code, title: m.error_title ?? '' } : null,
  sentBy: m.sent_by === null ? null : Number(m.sent_by),
  sentByName: m.sent_by_name,
  createdAt: new Date(m.created_at).toISOString(),
  replyTo: m.quoted_id ? { id: m.quoted_id, direction: m.quoted_direction!, type: m.quoted_type!, content: m.quoted_content ?? {} } : null,
  reaction: m.reaction ?? null,
});
export type MessageView = ReturnType<typeof messageView>;

/** Joins of a message row `m`: a reply's quoted message, and the sender's name of an agent's message. */
export const QUOTED = `left join messages q on q.wamid = m.reply_to and q.conversation_id = m.conversation_id
    left join account_users u on u.account_id = m.account_id and u.kommo_user_id = m.sent_by`;
/** `messageView` of a row `m` joined as in `QUOTED`, built by the store as JSON (a page is answered as the store writes it). */
export const MESSAGE_JSON = `json_build_object('id', m.id, 'direction', m.direction, 'type', m.type, 'content', m.content, 'status', m.status,
    'error', case when m.error_code is not null then json_build_object('code', m.error_code, 'title', coalesce(m.error_title, '')) end,
    'sentBy', m.sent_by, 'sentByName', u.name, 'createdAt', to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'replyTo', case when q.id is not null then json_build_object('id', q.id, 'direction', q.direction, 'type', q.type, 'content', coalesce(q.content, '{}')) end,
    'reaction', m.reaction)`;
export const QUOTED_COLUMNS = 'u.name as sent_by_name, q.id as quoted_id, q.direction as quoted_direction, q.type as quoted_type, q.content as quoted_content';
