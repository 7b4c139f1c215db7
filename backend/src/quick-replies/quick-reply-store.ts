import type { QuickReplyView } from '../../../contract/quick-replies';
import type { Queryable } from '../store/db';

/** The SQL of quick replies: the account's (owner null) and each user's own. */

interface QuickReplyRow {
  id: string;
  owner_user_id: string | number | null;
  shortcut: string;
  body: string;
  updated_at: Date | string;
}

export interface QuickReply {
  id: string;
  ownerUserId: number | null;
  shortcut: string;
  text: string;
}

export interface QuickReplyFields {
  shortcut: string;
  text: string;
  scope: 'account' | 'personal';
}

/** Who is looking: a user of the account, an admin or not. */
export interface Viewer {
  userId: number;
  isAdmin: boolean;
}

/** The account's replies may be changed by admins; a personal one only by its owner. */
export const mayEdit = (reply: { ownerUserId: number | null }, viewer: Viewer): boolean =>
  reply.ownerUserId === null ? viewer.isAdmin : reply.ownerUserId === viewer.userId;

const fromRow = (r: QuickReplyRow): QuickReply => ({
  id: r.id,
  ownerUserId: r.owner_user_id === null ? null : Number(r.owner_user_id),
  shortcut: r.shortcut,
  text: r.body,
});

const view = (r: QuickReplyRow, viewer: Viewer): QuickReplyView => {
  const reply = fromRow(r);
  return {
    id: reply.id,
    shortcut: reply.shortcut,
    text: reply.text,
    scope: reply.ownerUserId === null ? 'account' : 'personal',
    editable: mayEdit(reply, viewer),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
};

export const quickReplyStore = {
  /** What a user sees: the user's own first, then the account's, each by shortcut. */
  async list(q: Queryable, accountId: string, viewer: Viewer): Promise<QuickReplyView[]> {
    const rows = await q.query<QuickReplyRow>(
      `select id, owner_user_id, shortcut, body, updated_at from quick_replies
       where account_id = $1 and (owner_user_id is null or owner_user_id = $2)
       order by owner_user_id is null, shortcut`,
      [accountId, viewer.userId],
    );
    return rows.map((r) => view(r, viewer));
  },

  /** One reply the user can see (the account's, or their own). */
  async visible(q: Queryable, accountId: string, id: string, userId: number): Promise<QuickReply | undefined> {
    const [row] = await q.query<QuickReplyRow>(
      'select id, owner_user_id, shortcut, body, updated_at from quick_replies where id = $1 and account_id = $2 and (owner_user_id is null or owner_user_id = $3)',
      [id, accountId, userId],
    );
    return row && fromRow(row);
  },

  async view(q: Queryable, accountId: string, id: string, viewer: Viewer): Promise<QuickReplyView | undefined> {
    const [row] = await q.query<QuickReplyRow>('select id, owner_user_id, shortcut, body, updated_at from quick_replies where id = $1 and account_id = $2', [
      id,
      accountId,
    ]);
    return row && view(row, viewer);
  },

  /** How many replies the scope holds (the account's, or one user's). */
  async count(q: Queryable, accountId: string, ownerUserId: number | null): Promise<number> {
    const [row] = await q.query<{ n: string | number }>(
      'select count(*) as n from quick_replies where account_id = $1 and owner_user_id is not distinct from $2',
      [accountId, ownerUserId],
    );
    return Number(row?.n ?? 0);
  },

  /** False when the scope already has a reply with that shortcut (the unique indexes of migration 024). */
  async insert(
    q: Queryable,
    row: { id: string; accountId: string; ownerUserId: number | null; shortcut: string; text: string; createdBy: number; at: Date },
  ): Promise<boolean> {
    const rows = await q.query(
      `insert into quick_replies (id, account_id, owner_user_id, shortcut, body, created_by, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7)
       on conflict do nothing returning id`,
      [row.id, row.accountId, row.ownerUserId, row.shortcut, row.text, row.createdBy, row.at],
    );
    return rows.length > 0;
  },

  /** False when another reply of the same scope has that shortcut. */
  async update(q: Queryable, accountId: string, id: string, fields: { shortcut: string; text: string }, at: Date): Promise<boolean> {
    const rows = await q.query(
      `update quick_replies r set shortcut = $3, body = $4, updated_at = $5 where r.id = $1 and r.account_id = $2
       and not exists (select 1 from quick_replies o where o.account_id = r.account_id and o.owner_user_id is not distinct from r.owner_user_id and o.shortcut = $3 and o.id <> r.id)
       returning r.id`,
      [id, accountId, fields.shortcut, fields.text, at],
    );
    return rows.length > 0;
  },

  async remove(q: Queryable, accountId: string, id: string): Promise<void> {
    await q.query('delete from quick_replies where id = $1 and account_id = $2', [id, accountId]);
  },

  /** The account's country in Kommo: where a contact's phone written without its country code is read. */
  async country(q: Queryable, accountId: string): Promise<string | null> {
    const [row] = await q.query<{ country: string | null }>('select country from accounts where id = $1', [accountId]);
    return row?.country ?? null;
  },

  /** Whether Kommo contact `contactId` is the customer of one of the account's conversations: linked to one, or one of its phones (`waIds`) is one's customer. */
  async isCustomer(q: Queryable, accountId: string, contactId: number, waIds: string[]): Promise<boolean> {
    const rows = await q.query('select 1 from conversations where account_id = $1 and (kommo_contact_id = $2 or wa_id = any($3::text[])) limit 1', [
      accountId,
      contactId,
      waIds,
    ]);
    return rows.length > 0;
  },
};
