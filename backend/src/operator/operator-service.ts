import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { listAccounts } from '../kommo/account-store';
import type { LicenceService } from '../licensing/licence-service';
import { bankRefunds, findOrder, operatorClaims, operatorOrders } from '../payments/order-store';
import type { Db } from '../store/db';

/** What the vendor operator reads across accounts, and the audit of what they do. */
export function createOperatorService(deps: { db: Db; clock: Clock; licences: LicenceService }) {
  const { db, clock } = deps;
  return {
    /** Every account with its licence as of now. */
    async accounts() {
      const now = clock.now();
      return Promise.all(
        (await listAccounts(db)).map(async (a) => {
          const s = await deps.licences.snapshot(a.id);
          return {
            id: a.id,
            kommoAccountId: Number(a.kommo_account_id),
            subdomain: a.subdomain,
            name: a.name,
            status: a.status,
            licence: s.state,
            plan: s.current?.plan ?? null,
            endsAt: s.current?.ends_at.toISOString() ?? null,
            asOf: now.toISOString(),
          };
        }),
      );
    },

    /** Open claims (or all); those past their answer date without an answer come first, flagged overdue. */
    claims: (which: 'open' | 'all') => operatorClaims(db, which, clock.now()),

    orders: (account: string | null) => operatorOrders(db, account),

    /** Bank-transfer refunds waiting to be sent back (oldest first), or every bank refund. */
    refunds: (which: 'to_send' | 'all') => bankRefunds(db, which),

    async orderState(orderId: string): Promise<{ status: string; activation_error: string | null } | Record<string, never>> {
      const order = await findOrder(db, orderId);
      return order ? { status: order.status, activation_error: order.activation_error } : {};
    },

    /** Records what the operator did (SPEC §9). */
    audit: (action: string, details: Record<string, unknown>) => recordAudit(db, { accountId: null, actor: 'operator', action, details, at: clock.now() }),
  };
}
export type OperatorService = ReturnType<typeof createOperatorService>;
