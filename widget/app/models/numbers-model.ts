import { computed, signal } from '@preact/signals';
import type { z } from 'zod/mini';
import type { NumberView } from '../../../contract/whatsapp';
import type { ApiClient } from '../api/api-client';
import type { Describe } from '../i18n/error-sentence';
import type { LicenceModel } from './licence-model';
import { createListModel } from './list-model';

export interface ConnectNumberForm {
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
}

/** The form's fields by their labels, for error sentences. */
const LABELS = { phoneNumberId: 'numbers.phoneNumberId', wabaId: 'numbers.wabaId', accessToken: 'numbers.accessToken' };

/**
 * The account's WhatsApp numbers. The limit follows the licence model: when a payment activates a
 * dearer plan the licence reloads and "0 of 1" becomes "0 of 10" at once, without asking again
 * (both come from the plan in force at the backend).
 */
export function createNumbersModel(deps: { api: ApiClient; describe: Describe; licence: LicenceModel }) {
  const numbers = signal<z.infer<typeof NumberView>[] | null>(null);
  const listedLimit = signal(0);
  const limit = computed(() => deps.licence.status.value?.numberLimit ?? listedLimit.value);
  const { error, busy, load, act } = createListModel({
    describe: deps.describe,
    labels: LABELS,
    async fetch() {
      const list = await deps.api.numbers();
      numbers.value = list.numbers;
      listedLimit.value = list.limit;
    },
  });

  return {
    numbers,
    limit,
    error,
    busy,
    load,
    /** Meta checks the number and the token before the backend saves them. */
    connect: (form: ConnectNumberForm) => act(() => deps.api.connectNumber(form)),
    /** Disconnects the number; its chats in Wabridge go with it (the notes in Kommo stay). */
    remove: (numberId: string) => act(() => deps.api.removeNumber(numberId)),
  };
}
export type NumbersModel = ReturnType<typeof createNumbersModel>;
