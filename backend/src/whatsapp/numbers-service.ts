import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { AppError, badRequest, notFound } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { LicenceService } from '../licensing/licence-service';
import type { Db } from '../store/db';
import { isCloudApiError, type CloudApi } from './cloud-api';
import { countNumbers, deleteNumber, findNumber, insertNumber, listNumbers, ownerOfNumber, type NumberRow } from './number-store';

export type { NumberRow } from './number-store';

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
    list: (accountId: string) => listNumbers(db, accountId),

    async find(accountId: string, numberId: string): Promise<NumberRow> {
      const row = await findNumber(db, accountId, numberId);
      if (!row) throw notFound('No such WhatsApp number in this account.');
      return row;
    },

    token: (row: NumberRow) => deps.box.decrypt(row.token_enc),

    async connect(accountId: string, userId: number, input: { phoneNumberId: string; wabaId: string; accessToken: string }) {
      const limit = await deps.licences.numberLimit(accountId);
      if ((await countNumbers(db, accountId)) >= limit) {
        throw new AppError('number_limit_reached', `The plan in force allows ${limit} WhatsApp number${limit === 1 ? '' : 's'}; upgrade to connect more.`, 409);
      }
      const takenBy = await ownerOfNumber(db, input.phoneNumberId);
      if (takenBy)
        throw new AppError(
          'number_taken',
          takenBy === accountId ? 'This number is already connected.' : 'This number is connected to another Kommo account.',
          409,
        );
      let phone;
      try {
        phone = await deps.cloud.getPhoneNumber(input.phoneNumberId, input.accessToken);
      } catch (err) {
        if (isCloudApiError(err))
          throw badRequest('number_not_verified', `Meta refused the number with this token: ${err.message}. Check the phone-number id and the token.`);
        throw err;
      }
      // The number must belong to the WABA we were given: templates are read, and broadcasts grouped, by
      // WABA, and a number saved under someone else's WABA id would borrow (or leak) their templates.
      const wabaNumbers = await deps.cloud.listWabaPhoneNumbers(input.wabaId, input.accessToken).catch((err: unknown): string[] => {
        // Meta answers "does not exist or missing permissions" for a WABA the token cannot read: a mismatch too.
        if (isCloudApiError(err) && err.errorClass !== 'retryable' && err.errorClass !== 'rate_limit') return [];
        if (isCloudApiError(err))
          throw badRequest('number_not_verified', `Meta could not list the WhatsApp Business Account's numbers: ${err.message}. Try again.`);
        throw err;
      });
      if (!wabaNumbers.includes(input.phoneNumberId)) {
        throw badRequest(
          'number_not_in_waba',
          `Meta does not list this phone number in the WhatsApp Business Account ${input.wabaId} (or this token cannot read that account). Check the WABA id.`,
          [{ path: 'body.wabaId', message: 'The number does not belong to this WhatsApp Business Account.' }],
        );
      }
      const id = deps.ids();
      const at = clock.now();
      await db.transaction(async (tx) => {
        await insertNumber(tx, {
          id,
          accountId,
          phoneNumberId: input.phoneNumberId,
          wabaId: input.wabaId,
          displayPhoneNumber: phone.displayPhoneNumber,
          verifiedName: phone.verifiedName ?? null,
          tokenEnc: deps.box.encrypt(input.accessToken),
          connectedBy: userId,
          at,
          dailyLimit: phone.dailyLimit ?? 250,
        });
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'number.connected', details: { phoneNumberId: input.phoneNumberId }, at });
      });
      return this.find(accountId, id);
    },

    async disconnect(accountId: string, userId: number, numberId: string) {
      await this.find(accountId, numberId);
      await db.transaction(async (tx) => {
        await deleteNumber(tx, accountId, numberId);
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'number.disconnected', details: { numberId }, at: clock.now() });
      });
    },
  };
}
export type NumbersService = ReturnType<typeof createNumbersService>;
