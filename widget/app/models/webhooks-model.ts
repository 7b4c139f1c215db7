import { signal } from '@preact/signals';
import type { z } from 'zod/mini';
import type { WebhookDeliveryList, WebhookEndpointList } from '../../../contract/public-api';
import type { ApiClient } from '../api/api-client';
import type { Describe } from '../i18n/error-sentence';
import { createListModel } from './list-model';

/** The form's fields by their labels, for error sentences. */
const LABELS = { url: 'developers.webhook_url' };

/** The admin's outgoing-webhook receivers: each signing secret shown once, the delivery log, removal. */
export function createWebhooksModel(deps: { api: ApiClient; describe: Describe }) {
  const endpoints = signal<z.infer<typeof WebhookEndpointList>['endpoints'] | null>(null);
  const log = signal<{ id: string; deliveries: z.infer<typeof WebhookDeliveryList>['deliveries'] } | null>(null);
  /** The signing secret of the receiver just added (shown beside it, this once). */
  const shownOnce = signal<{ id: string; secret: string } | null>(null);
  const { error, busy, load, act } = createListModel({
    describe: deps.describe,
    labels: LABELS,
    async fetch() {
      endpoints.value = (await deps.api.webhooks()).endpoints;
    },
  });

  return {
    endpoints,
    log,
    shownOnce,
    error,
    busy,
    load,
    add: (url: string) =>
      act(async () => {
        const created = await deps.api.createWebhook(url);
        shownOnce.value = { id: created.id, secret: created.secret };
      }),
    showLog: (id: string) =>
      act(
        async () => {
          log.value = { id, deliveries: (await deps.api.webhookDeliveries(id)).deliveries };
        },
        { reload: false },
      ),
    /** The receiver gets no more events; its log and any secret shown for it go from the page. */
    remove: (id: string) =>
      act(async () => {
        await deps.api.removeWebhook(id);
        if (log.value?.id === id) log.value = null;
        if (shownOnce.value?.id === id) shownOnce.value = null;
      }),
  };
}
export type WebhooksModel = ReturnType<typeof createWebhooksModel>;
