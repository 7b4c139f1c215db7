import { createAutomationStore } from '../automation/automation-store';
import { findAccountByKommoId } from '../kommo/account-store';
import type { Db } from '../store/db';

/** What the demo page reads of our side: whether the demo account is installed, and its first automation. */
export function createDemoStore(db: Db) {
  const automations = createAutomationStore(db);
  return {
    installed: async (kommoAccountId: number) => (await findAccountByKommoId(db, kommoAccountId))?.status === 'active',
    firstAutomation: (kommoAccountId: number) => automations.firstOfKommoAccount(kommoAccountId),
  };
}
export type DemoStore = ReturnType<typeof createDemoStore>;
