import { z } from 'zod';

export const PaidPlanId = z.enum(['user', 'pro', 'vip']);
export type PaidPlanId = z.infer<typeof PaidPlanId>;
export type PlanId = 'demo' | PaidPlanId;
export const Currency = z.enum(['USD', 'EUR']);
export type Currency = z.infer<typeof Currency>;

export interface PlanTerms {
  /** Outbound messages per period. */
  messages: number;
  /** Connected WhatsApp numbers. */
  numbers: number;
  /** Price of a 30-day period in minor units (cents); demo is free. */
  prices: Record<Currency, number>;
}

export const PriceList = z.object({
  demo: z.object({
    messages: z.number().int().min(0),
    numbers: z.number().int().min(0),
    days: z.number().int().min(1),
    broadcastRecipients: z.number().int().min(1),
  }),
  plans: z.record(
    PaidPlanId,
    z.object({ messages: z.number().int().min(0), numbers: z.number().int().min(0), prices: z.record(Currency, z.number().int().min(0)) }),
  ),
  periodDays: z.number().int().min(1),
});
export type PriceList = z.infer<typeof PriceList>;

/** SPEC §4.1: the defaults; a deployment may configure its own (PRICE_LIST). */
export const defaultPriceList: PriceList = {
  demo: { messages: 100, numbers: 1, days: 7, broadcastRecipients: 20 },
  plans: {
    user: { messages: 10_000, numbers: 3, prices: { USD: 900, EUR: 900 } },
    pro: { messages: 100_000, numbers: 10, prices: { USD: 1900, EUR: 1900 } },
    vip: { messages: 1_000_000, numbers: 30, prices: { USD: 4900, EUR: 4900 } },
  },
  periodDays: 30,
};

export function planLimits(prices: PriceList, plan: PlanId): { messages: number; numbers: number } {
  return plan === 'demo' ? prices.demo : prices.plans[plan];
}
