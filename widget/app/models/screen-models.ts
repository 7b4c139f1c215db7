import type { ApiClient } from '../api/api-client';
import type { Describe, FieldLabels } from '../i18n/error-sentence';
import { createAccountAdminModel } from './account-admin-model';
import { createApiKeysModel } from './api-keys-model';
import { createAutomationsModel } from './automations-model';
import { createBroadcastsModel } from './broadcasts-model';
import { createKommoChannelModel } from './kommo-channel-model';
import type { LicenceModel } from './licence-model';
import type { LiveModel } from './live-model';
import { createNumbersModel } from './numbers-model';
import { createOrdersModel } from './orders-model';
import { createUsersModel } from './users-model';
import { createWebhooksModel } from './webhooks-model';

/**
 * The models only the settings, advanced settings and list screens use. They are a chunk of their
 * own, made the first time one of those screens shows: the card does not carry them. Every HTTP
 * call of those screens goes through one of them.
 */
export function createScreenModels(deps: {
  api: ApiClient;
  live: LiveModel;
  licence: LicenceModel;
  describe: Describe;
  describeFields: (error: unknown, labels: FieldLabels) => Record<string, string>;
  reloadSession: () => void;
  openTab: (url: string) => void;
}) {
  const { api, licence, describe } = deps;
  const users = createUsersModel({ api, describe });
  // Withdrawing consent ends the account's use of Wabridge: reload shows why.
  const admin = createAccountAdminModel({ api, describe, describeFields: deps.describeFields, onChanged: deps.reloadSession });
  const orders = createOrdersModel({
    api,
    describe,
    openTab: deps.openTab,
    onPaid: () => {
      void licence.load();
      void admin.load();
    },
  });
  // A launch reserves messages: the allowance meter changes.
  const broadcasts = createBroadcastsModel({ api, live: deps.live, describe, onLaunched: () => void licence.load() });
  // The admin's settings sections: numbers and Kommo's chat channel, automations and the public API's keys and webhooks.
  const numbers = createNumbersModel({ api, licence, describe });
  const kommoChannel = createKommoChannelModel({ api, describe });
  const automations = createAutomationsModel({ api, describe });
  const apiKeys = createApiKeysModel({ api, describe });
  const webhooks = createWebhooksModel({ api, describe });
  return { users, admin, orders, broadcasts, numbers, kommoChannel, automations, apiKeys, webhooks };
}
export type ScreenModels = ReturnType<typeof createScreenModels>;
