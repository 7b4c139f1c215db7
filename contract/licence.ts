import { z } from 'zod';

export const PlanId = z.enum(['demo', 'user', 'pro', 'vip']);
export const PaidPlanId = z.enum(['user', 'pro', 'vip']);
export const Currency = z.enum(['USD', 'EUR']);
export const CapabilityName = z.enum(['chat', 'outbound', 'broadcasts', 'automation', 'auto_create', 'api_keys']);

export const CapabilityDecision = z.union([
  z.object({ allowed: z.literal(true) }),
  z.object({ allowed: z.literal(false), code: z.string(), message: z.string(), action: z.enum(['renew', 'upgrade_kommo', 'reinstall', 'none']) }),
]);

export const LicenceStatus = z.object({
  state: z.enum(['none', 'demo', 'active', 'expired', 'uninstalled', 'consent_withdrawn']),
  plan: PlanId.nullable(),
  timezone: z.string(),
  period: z.object({ startsAt: z.iso.datetime(), endsAt: z.iso.datetime(), daysLeft: z.number().int() }).nullable(),
  reminderDaysLeft: z.number().int().nullable(),
  allowance: z.object({ used: z.number().int(), limit: z.number().int(), resetsAt: z.iso.datetime().nullable() }).nullable(),
  numberLimit: z.number().int(),
  upcoming: z.array(z.object({ plan: PlanId, startsAt: z.iso.datetime(), endsAt: z.iso.datetime() })),
  kommoPlan: z.object({ name: z.string().nullable(), tier: z.string(), full: z.boolean() }),
  capabilities: z.record(CapabilityName, CapabilityDecision),
});
export type LicenceStatus = z.infer<typeof LicenceStatus>;

export const PlanList = z.object({
  periodDays: z.number().int(),
  demo: z.object({ days: z.number().int(), messages: z.number().int(), numbers: z.number().int(), broadcastRecipients: z.number().int() }),
  plans: z.array(z.object({ id: PaidPlanId, messages: z.number().int(), numbers: z.number().int(), prices: z.record(Currency, z.number().int()) })),
});
export type PlanList = z.infer<typeof PlanList>;

export const UpgradeQuoteQuery = z.object({ plan: PaidPlanId, currency: Currency });
export const UpgradeQuote = z.object({
  plan: PaidPlanId,
  currency: Currency,
  fromPlan: PlanId,
  remainingDays: z.number().int(),
  price: z.number().int(),
  credit: z.number().int(),
  amount: z.number().int(),
});

const name = z.string().trim().min(1, 'is required').max(100);
export const RegistrationInput = z
  .object({
    lastName: name,
    firstName: name,
    patronymic: z.string().trim().max(100).optional().transform((v) => (v ? v : undefined)),
    email: z.email('must be an email address').max(254),
    phone: z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'must be in international format, e.g. +5511912345678'),
    city: name,
    termsVersion: z.string().min(1).max(50),
    acceptTerms: z.literal(true, 'the terms must be accepted'),
  })
  .strict();
export type RegistrationInput = z.input<typeof RegistrationInput>;

export const Registration = z.object({
  lastName: z.string(),
  firstName: z.string(),
  patronymic: z.string().nullable(),
  email: z.string(),
  phone: z.string(),
  city: z.string(),
  registeredAt: z.iso.datetime(),
});

export const TermsView = z.object({
  current: z.object({ version: z.string(), title: z.string(), body: z.string(), effectiveAt: z.iso.datetime() }),
  /** A newer version already published that takes effect later. */
  upcoming: z.object({ version: z.string(), effectiveAt: z.iso.datetime() }).nullable(),
  acceptedVersion: z.string().nullable(),
  acceptedAt: z.iso.datetime().nullable(),
  acceptanceRequired: z.boolean(),
});
export type TermsView = z.infer<typeof TermsView>;

export const AccountAdmin = z.object({
  registration: Registration.nullable(),
  terms: TermsView,
  /** Whether the admin may place a paid order now, and if not, why. */
  mayOrder: z.object({ allowed: z.boolean(), code: z.string().optional(), message: z.string().optional() }),
});
export type AccountAdmin = z.infer<typeof AccountAdmin>;

export const AcceptTermsInput = z.object({ version: z.string().min(1).max(50) }).strict();

export const WithdrawConsentInput = z.object({ confirm: z.literal(true, 'confirm must be true') }).strict();
export const ConsentView = z.object({ withdrawnAt: z.iso.datetime().nullable(), deletionDueBy: z.iso.datetime().nullable() });

export const AccountSettings = z.object({
  autoCreateFromInbound: z.boolean(),
  /** A reply to a broadcast creates a task for the lead's owner in Kommo. */
  replyTasks: z.boolean(),
});
export type AccountSettings = z.infer<typeof AccountSettings>;
export const UpdateSettingsInput = AccountSettings.partial().strict();

export const OutageInput = z
  .object({ startsAt: z.iso.datetime({ offset: true }), endsAt: z.iso.datetime({ offset: true }), note: z.string().max(500).optional() })
  .strict();
export const TermsPublishInput = z
  .object({ version: z.string().regex(/^[A-Za-z0-9._-]{1,50}$/), title: z.string().min(1).max(200), body: z.string().min(1).max(100_000) })
  .strict();
