import { z } from 'zod/mini';

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
  plan: z.nullable(PlanId),
  timezone: z.string(),
  period: z.nullable(z.object({ startsAt: z.iso.datetime(), endsAt: z.iso.datetime(), daysLeft: z.int() })),
  reminderDaysLeft: z.nullable(z.int()),
  /** From day 76 without any use and without a paid licence: the days left before the account is suspended (SPEC §4.2). */
  inactivity: z.nullable(z.object({ daysUnused: z.int(), daysLeft: z.int() })),
  allowance: z.nullable(z.object({ used: z.int(), limit: z.int(), resetsAt: z.nullable(z.iso.datetime()) })),
  numberLimit: z.int(),
  upcoming: z.array(z.object({ plan: PlanId, startsAt: z.iso.datetime(), endsAt: z.iso.datetime() })),
  kommoPlan: z.object({ name: z.nullable(z.string()), tier: z.string(), full: z.boolean() }),
  capabilities: z.record(CapabilityName, CapabilityDecision),
});
export type LicenceStatus = z.infer<typeof LicenceStatus>;

export const PlanList = z.object({
  periodDays: z.int(),
  demo: z.object({ days: z.int(), messages: z.int(), numbers: z.int(), broadcastRecipients: z.int() }),
  plans: z.array(z.object({ id: PaidPlanId, messages: z.int(), numbers: z.int(), prices: z.record(Currency, z.int()) })),
});
export type PlanList = z.infer<typeof PlanList>;

export const UpgradeQuoteQuery = z.object({ plan: PaidPlanId, currency: Currency });
export const UpgradeQuote = z.object({
  plan: PaidPlanId,
  currency: Currency,
  fromPlan: PlanId,
  remainingDays: z.int(),
  price: z.int(),
  credit: z.int(),
  amount: z.int(),
});

const name = z.string().check(z.trim(), z.minLength(1, 'is required'), z.maxLength(100));
export const RegistrationInput = z.strictObject({
  lastName: name,
  firstName: name,
  patronymic: z.pipe(
    z.optional(z.string().check(z.trim(), z.maxLength(100))),
    z.transform((v) => (v ? v : undefined)),
  ),
  email: z.email('must be an email address').check(z.maxLength(254)),
  phone: z.string().check(z.trim(), z.regex(/^\+[1-9]\d{6,14}$/, 'must be in international format, e.g. +5511912345678')),
  city: name,
  termsVersion: z.string().check(z.minLength(1), z.maxLength(50)),
  acceptTerms: z.literal(true, 'the terms must be accepted'),
});
export type RegistrationInput = z.input<typeof RegistrationInput>;

export const Registration = z.object({
  lastName: z.string(),
  firstName: z.string(),
  patronymic: z.nullable(z.string()),
  email: z.string(),
  phone: z.string(),
  city: z.string(),
  registeredAt: z.iso.datetime(),
});

export const TermsView = z.object({
  current: z.object({ version: z.string(), title: z.string(), body: z.string(), effectiveAt: z.iso.datetime() }),
  /** A newer version already published that takes effect later. */
  upcoming: z.nullable(z.object({ version: z.string(), effectiveAt: z.iso.datetime() })),
  acceptedVersion: z.nullable(z.string()),
  acceptedAt: z.nullable(z.iso.datetime()),
  acceptanceRequired: z.boolean(),
});
export type TermsView = z.infer<typeof TermsView>;

export const AccountAdmin = z.object({
  registration: z.nullable(Registration),
  terms: TermsView,
  /** Whether the admin may place a paid order now, and if not, why. */
  mayOrder: z.object({ allowed: z.boolean(), code: z.optional(z.string()), message: z.optional(z.string()) }),
});
export type AccountAdmin = z.infer<typeof AccountAdmin>;

export const AcceptTermsInput = z.strictObject({ version: z.string().check(z.minLength(1), z.maxLength(50)) });

export const WithdrawConsentInput = z.strictObject({ confirm: z.literal(true, 'confirm must be true') });
export const ConsentView = z.object({ withdrawnAt: z.nullable(z.iso.datetime()), deletionDueBy: z.nullable(z.iso.datetime()) });

export const AccountSettings = z.object({
  autoCreateFromInbound: z.boolean(),
  /** A reply to a broadcast creates a task for the lead's owner in Kommo. */
  replyTasks: z.boolean(),
});
export type AccountSettings = z.infer<typeof AccountSettings>;
export const UpdateSettingsInput = z.partial(z.strictObject(AccountSettings.shape));

export const OutageInput = z.strictObject({
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  note: z.optional(z.string().check(z.maxLength(500))),
});
export const TermsPublishInput = z.strictObject({
  version: z.string().check(z.regex(/^[A-Za-z0-9._-]{1,50}$/)),
  title: z.string().check(z.minLength(1), z.maxLength(200)),
  body: z.string().check(z.minLength(1), z.maxLength(100_000)),
});
