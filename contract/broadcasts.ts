import { z } from 'zod/mini';
import { TemplateView } from './whatsapp';

/** Where the audience's consent comes from (SPEC §6). Bought, rented or scraped lists are named so they can be refused. */
export const CONSENT_SOURCES = [
  'opt_in_form',
  'customer_initiated',
  'existing_customers',
  'offline_consent',
  'purchased_list',
  'rented_list',
  'scraped_list',
] as const;
export const FORBIDDEN_CONSENT: ReadonlySet<string> = new Set(['purchased_list', 'rented_list', 'scraped_list']);

export const EXCLUSION_REASONS = ['opted_out', 'no_phone', 'invalid_number', 'empty_parameter', 'forbidden_words', 'over_allowance'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/** Why a template cannot carry a broadcast: the error codes a draft with it is refused with (SPEC §6). */
export const TEMPLATE_REFUSALS = ['template_not_approved', 'unsubscribe_missing', 'forbidden_words'] as const;
export type TemplateRefusal = (typeof TEMPLATE_REFUSALS)[number];

/** A template parameter: a CRM field of the recipient, or the same text for everyone. */
export const ParameterSource = z.union([
  z.strictObject({
    field: z.union([
      z.enum(['name', 'first_name', 'last_name', 'lead_name', 'phone']),
      z.string().check(z.regex(/^cf:\d{1,12}$/, 'must be name, first_name, last_name, lead_name, phone or cf:<custom field id>')),
    ]),
  }),
  z.strictObject({ value: z.string().check(z.trim(), z.minLength(1), z.maxLength(1024)) }),
]);
export type ParameterSource = z.infer<typeof ParameterSource>;

const Ids = z.array(z.int().check(z.positive())).check(z.minLength(1), z.maxLength(100_000));
export const AudienceInput = z.union([
  z.strictObject({ source: z.enum(['leads', 'contacts']), ids: Ids }),
  z.strictObject({ savedAudienceId: z.string().check(z.minLength(1), z.maxLength(100)) }),
  /** Phones given directly (the public API), each normalised like a CRM phone. */
  z.strictObject({ phones: z.array(z.string().check(z.trim(), z.minLength(1), z.maxLength(40))).check(z.minLength(1), z.maxLength(100_000)) }),
]);

const Clock = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)'));

export const CreateBroadcastInput = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(120)),
  audience: AudienceInput,
  /** Keep this selection as a saved audience under this name. */
  saveAudienceAs: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(120))),
  consentSource: z.enum(CONSENT_SOURCES),
  consentNote: z.optional(z.string().check(z.trim(), z.maxLength(500))),
  numberIds: z.array(z.string().check(z.minLength(1), z.maxLength(100))).check(z.minLength(1), z.maxLength(30)),
  template: z.strictObject({ name: z.string().check(z.minLength(1), z.maxLength(512)), language: z.string().check(z.minLength(2), z.maxLength(15)) }),
  parameters: z._default(z.array(ParameterSource).check(z.maxLength(20)), []),
  /** A public https link for a template whose header is an image, video or document. */
  headerMediaUrl: z.optional(z.url({ protocol: /^https?$/ }).check(z.maxLength(2000))),
  scheduledAt: z.optional(z.iso.datetime({ offset: true })),
  quietHours: z.optional(z.strictObject({ from: Clock, to: Clock }).check(z.refine((q) => q.from !== q.to, 'from and to must differ'))),
});
export type CreateBroadcastInput = z.infer<typeof CreateBroadcastInput>;

export const LaunchInput = z.strictObject({
  /** The recipient count the user saw on the launch button; a different count now means the dry run changed. */
  expectedRecipients: z.optional(z.int().check(z.gte(0))),
});

export const BroadcastIdParams = z.object({ broadcastId: z.string().check(z.minLength(1), z.maxLength(100)) });

export const BroadcastStatus = z.enum(['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled']);

export const DryRun = z.object({
  /** Ids selected in Kommo, contacts found for them, and phones before merging. */
  selected: z.int(),
  phones: z.int(),
  /** Phones that appeared more than once and were merged. */
  merged: z.int(),
  recipients: z.int(),
  exclusions: z.record(z.enum(EXCLUSION_REASONS), z.int()),
  messagesNeeded: z.int(),
  allowanceLeft: z.int(),
  /** Seconds at the configured pace over the chosen numbers (and days when the daily limits bind). */
  estimatedSeconds: z.number(),
  preview: z.array(z.object({ name: z.nullable(z.string()), phone: z.string(), text: z.string() })),
});

export const BroadcastCounts = z.object({
  total: z.int(),
  queued: z.int(),
  sent: z.int(),
  delivered: z.int(),
  read: z.int(),
  failed: z.int(),
  replied: z.int(),
  optedOut: z.int(),
  cancelled: z.int(),
});

export const BroadcastView = z.object({
  id: z.string(),
  name: z.string(),
  status: BroadcastStatus,
  pause: z.nullable(z.object({ reason: z.string(), detail: z.string() })),
  template: z.object({ name: z.string(), language: z.string(), body: z.string() }),
  consentSource: z.enum(CONSENT_SOURCES),
  numberIds: z.array(z.string()),
  scheduledAt: z.nullable(z.iso.datetime()),
  quietHours: z.nullable(z.object({ from: z.string(), to: z.string() })),
  createdAt: z.iso.datetime(),
  launchedAt: z.nullable(z.iso.datetime()),
  finishedAt: z.nullable(z.iso.datetime()),
  counts: BroadcastCounts,
  /** Share of recipients with a final outcome (sent, failed or cancelled), 0–100. */
  progress: z.number(),
  dryRun: z.nullable(DryRun),
  failures: z.array(z.object({ code: z.int(), title: z.string(), count: z.int(), retryable: z.boolean() })),
});
export type BroadcastView = z.infer<typeof BroadcastView>;
export const BroadcastList = z.object({ broadcasts: z.array(z.omit(BroadcastView, { dryRun: true, failures: true })) });
/**
 * A template of the number's WABA as the broadcast picker shows it, whatever its status: whether it
 * can carry a broadcast, and if not why (the code a draft with it would be refused with, and the
 * forbidden words found in it). Qualifying templates come first.
 */
export const BroadcastTemplate = z.extend(TemplateView, {
  status: z.string(),
  qualifies: z.boolean(),
  /** How the customer unsubscribes: the template's quick-reply button, or its opt-out line. */
  unsubscribe: z.nullable(z.enum(['button', 'line'])),
  refusal: z.nullable(z.object({ reason: z.enum(TEMPLATE_REFUSALS), words: z.array(z.string()) })),
});
export type BroadcastTemplate = z.infer<typeof BroadcastTemplate>;
export const BroadcastTemplateList = z.object({ templates: z.array(BroadcastTemplate) });

export const SavedAudienceList = z.object({
  audiences: z.array(z.object({ id: z.string(), name: z.string(), source: z.enum(['leads', 'contacts']), size: z.int() })),
});
