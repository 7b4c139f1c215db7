import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { AppError, badRequest, notFound } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { LicenceService } from '../licensing/licence-service';
import type { Db } from '../store/db';
import { isCloudApiError, type CloudApi } from './cloud-api';

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

export const numberView = (n: NumberRow) => ({
  id: n.id,
  phoneNumberId: n.phone_number_id,
  wabaId: n.waba_id,
  displayPhoneNumber: n.display_phone_number,
  verifiedName: n.verified_name,
  connectedAt: new Date(n.connected_at).toISOString(),
});

/** The account's WhatsApp Business numbers: checked with Meta before saving, limited by plan, tokens sealed. */
export function createNumbersService(deps: { db: Db; clock: Clock; ids: IdGenerator; box: SecretBox; cloud: CloudApi; licences: LicenceService }) {
  const { db, clock } = deps;
  return {
    list: (accountId: string) => db.query<NumberRow>('select * from whatsapp_numbers where account_id = $1 order by connected_at', [accountId]),

    async find(accountId: string, numberId: string): Promise<NumberRow> {
      const [row] = await db.query<NumberRow>('select * from whatsapp_numbers where id = $1 and account_id = $2', [numberId, accountId]);
      if (!row) throw notFound('No such WhatsApp number in this account.');
      return row;
    },

    token: (row: NumberRow) => deps.box.decrypt(row.token_enc),

    async connect(accountId: string, userId: number, input: { phoneNumberId: string; wabaId: string; accessToken: string }) {
      const limit = await deps.licences.numberLimit(accountId);
      const connected = await db.query('select 1 from whatsapp_numbers where account_id = $1', [accountId]);
      if (connected.length >= limit) {
        throw new AppError('number_limit_reached', `The plan in force allows ${limit} WhatsApp number${limit === 1 ? '' : 's'}; upgrade to connect more.`, 409);
      }
      const [taken] = await db.query<{ account_id: string }>('select account_id from whatsapp_numbers where phone_number_id = $1', [input.phoneNumberId]);
      if (taken) throw new AppError('number_taken', taken.account_id === accountId ? 'This number is already connected.' : 'This number is connected to another Kommo account.', 409);
      let phone;
      try {
        phone = await deps.cloud.getPhoneNumber(input.phoneNumberId, input.accessToken);
      } catch (err) {
        if (isCloudApiError(err)) throw badRequest('number_not_verified', `Meta refused the number with this token: ${err.message}. Check the phone-number id and the token.`);
        throw err;
      }
      // The number must belong to the WABA we were given: templates are read, and broadcasts grouped, by
      // WABA, and a number saved under someone else's WABA id would borrow (or leak) their templates.
      const wabaNumbers = await deps.cloud.listWabaPhoneNumbers(input.wabaId, input.accessToken).catch((err: unknown): string[] => {
        // Meta answers "does not exist or missing permissions" for a WABA the token cannot read: a mismatch too.
        if (isCloudApiError(err) && err.errorClass !== 'retryable' && err.errorClass !== 'rate_limit') return [];
        if (isCloudApiError(err)) throw badRequest('number_not_verified', `Meta could not list the WhatsApp Business Account's numbers: ${err.message}. Try again.`);
        throw err;
      });
      if (!wabaNumbers.includes(input.phoneNumberId)) {
        throw badRequest('number_not_in_waba', `Meta does not list this phone number in the WhatsApp Business Account ${input.wabaId} (or this token cannot read that account). Check the WABA id.`, [{ path: 'body.wabaId', message: 'The number does not belong to this WhatsApp Business Account.' }]);
      }
      const id = deps.ids();
      const at = clock.now();
      await db.transaction(async (tx) => {
        await tx.query(
          `insert into whatsapp_numbers (id, account_id, phone_number_id, waba_id, display_phone_number, verified_name, token_enc, connected_by, connected_at, daily_limit)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [id, accountId, input.phoneNumberId, input.wabaId, phone.displayPhoneNumber, phone.verifiedName ?? null, deps.box.encrypt(input.accessToken), userId, at, phone.dailyLimit ?? 250],
        );
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'number.connected', details: { phoneNumberId: input.phoneNumberId }, at });
      });
      return this.find(accountId, id);
    },

    async disconnect(accountId: string, userId: number, numberId: string) {
      await this.find(accountId, numberId);
      await db.transaction(async (tx) => {
        await tx.query('delete from whatsapp_numbers where id = $1 and account_id = $2', [numberId, accountId]);
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'number.disconnected', details: { numberId }, at: clock.now() });
      });
    },
  };
}
export type NumbersService = ReturnType<typeof createNumbersService>;
