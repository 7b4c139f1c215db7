import { computed, signal } from '@preact/signals';
import type { LicenceStatus, PlanList } from '../../../contract/licence';
import type { ApiClient } from '../api/api-client';
import type { Describe } from '../i18n/error-sentence';

/** The account's licence as every user sees it, and the price list. */
export function createLicenceModel(deps: { api: ApiClient; describe: Describe }) {
  const status = signal<LicenceStatus | null>(null);
  const plans = signal<PlanList | null>(null);
  const error = signal<string | null>(null);
  const currency = signal<'USD' | 'EUR'>('USD');

  /** Capabilities switched off, with the reason the backend gave. */
  const disabled = computed(() =>
    Object.entries(status.value?.capabilities ?? {}).flatMap(([name, d]) => (d.allowed ? [] : [{ name, code: d.code, message: d.message, action: d.action }])),
  );

  return {
    status,
    plans,
    error,
    currency,
    disabled,
    async load() {
      try {
        const [s, p] = await Promise.all([deps.api.licence(), deps.api.plans()]);
        status.value = s;
        plans.value = p;
        error.value = null;
      } catch (err) {
        error.value = deps.describe(err);
      }
    },
  };
}
export type LicenceModel = ReturnType<typeof createLicenceModel>;

/** Share of the allowance used, 0–100, for the meter. */
export function allowancePercent(allowance: LicenceStatus['allowance']): number {
  if (!allowance || allowance.limit === 0) return 0;
  return Math.min(100, Math.round((allowance.used / allowance.limit) * 100));
}
