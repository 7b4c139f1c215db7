import type { Queryable } from '../store/db';

export interface NumberRow {
  id: string;
  account_id: string;
  phone_number_id: string;
  waba_id: string;
  display_phone_number: string;
  verified_name: string | null;
  token_enc: string;
  daily_limit: number;
  connected_at: Date;
}

export function listNumbers(db: Queryable, accountId: string): Promise<NumberRow[]> {
  return db.query<NumberRow>('select * from whatsapp_numbers where account_id = $1 order by connected_at', [accountId]);
}

export async function findNumber(db: Queryable, accountId: string, numberId: string): Promise<NumberRow | undefined> {
  const [row] = await db.query<NumberRow>('select * from whatsapp_numbers where id = $1 and account_id = $2', [numberId, accountId]);
  return row;
}

export async function countNumbers(db: Queryable, accountId: string): Promise<number> {
  const connected = await db.query('select 1 from whatsapp_numbers where account_id = $1', [accountId]);
  return connected.length;
}

/** The account this Meta phone number is connected to, if any. */
export async function ownerOfNumber(db: Queryable, phoneNumberId: string): Promise<string | undefined> {
  const [taken] = await db.query<{ account_id: string }>('select account_id from whatsapp_numbers where phone_number_id = $1', [phoneNumberId]);
  return taken?.account_id;
}

export async function insertNumber(
  db: Queryable,
  n: {
    id: string;
    accountId: string;
    phoneNumberId: string;
    wabaId: string;
    displayPhoneNumber: string;
    verifiedName: string | null;
    tokenEnc: string;
    connectedBy: number;
    at: Date;
    dailyLimit: number;
  },
): Promise<void> {
  await db.query(
    `insert into whatsapp_numbers (id, account_id, phone_number_id, waba_id, display_phone_number, verified_name, token_enc, connected_by, connected_at, daily_limit)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [n.id, n.accountId, n.phoneNumberId, n.wabaId, n.displayPhoneNumber, n.verifiedName, n.tokenEnc, n.connectedBy, n.at, n.dailyLimit],
  );
}

export async function deleteNumber(db: Queryable, accountId: string, numberId: string): Promise<void> {
  await db.query('delete from whatsapp_numbers where id = $1 and account_id = $2', [numberId, accountId]);
}

/** The first-connected number of every WABA of every account (templates are read by WABA). */
export function oneNumberPerWaba(db: Queryable): Promise<NumberRow[]> {
  return db.query<NumberRow>('select distinct on (account_id, waba_id) * from whatsapp_numbers order by account_id, waba_id, connected_at');
}
