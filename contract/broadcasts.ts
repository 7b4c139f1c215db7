import { z } from 'zod';

/** Where the audience's consent comes from (SPEC §6). Bought, rented or scraped lists are named so they can be refused. */
export const CONSENT_SOURCES = ['opt_in_form', 'customer_initiated', 'existing_customers', 'offline_consent', 'purchased_list', 'rented_list', 'scraped_list'] as const;
export const FORBIDDEN_CONSENT: ReadonlySet<string> = new Set(['purchased_list', 'rented_list', 'scraped_list']);

export const EXCLUSION_REASONS = ['opted_out', 'no_phone', 'invalid_number', 'empty_parameter', 'over_allowance'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/** A template parameter: a CRM field of the recipient, or the same text for everyone. */
export const ParameterSource = z.union([
  z.object({ field: z.union([z.enum(['name', 'first_name', 'last_name', 'lead_name', 'phone']), z.string().regex(/^cf:\d{1,12}$/, 'must be name, first_name, last_name, lead_name, phone or cf:<custom field id>')]) }).strict(),
  z.object({ value: z.string().trim().min(1).max(1024) }).strict(),
]);
export type ParameterSource = z.infer<typeof ParameterSource>;

const Ids = z.array(z.number().int().positive()).min(1).max(100_000);
export const AudienceInput = z.union([
  z.object({ source: z.enum(['leads', 'contacts']), ids: Ids }).strict(),
  z.object({ savedAudienceId: z.string().min(1).max(100) }).strict(),
  /** Phones given directly (the public API), each normalised like a CRM phone. */
  z.object({ phones: z.array(z.string().trim().min(1).max(40)).min(1).max(100_000) }).strict(),
]);

const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

export const CreateBroadcastInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    audience: AudienceInput,
    /** Keep this selection as a saved audience under this name. */
    saveAudienceAs: z.string().trim().min(1).max(120).optional(),
    consentSource: z.enum(CONSENT_SOURCES),
    consentNote: z.string().trim().max(500).optional(),
    numberIds: z.array(z.string().min(1).max(100)).min(1).max(30),
    template: z.object({ name: z.string().min(1).max(512), language: z.string().min(2).max(15) }).strict(),
    parameters: z.array(ParameterSource).max(20).default([]),
    /** A public https link for a template whose header is an image, video or document. */
    headerMediaUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
    scheduledAt: z.iso.datetime({ offset: true }).optional(),
    quietHours: z.object({ from: Clock, to: Clock }).strict().refine((q) => q.from !== q.to, 'from and to must differ').optional(),
  })
  .strict();
export type CreateBroadcastInput = z.infer<typeof CreateBroadcastInput>;

export const LaunchInput = z
  .object({
    /** The recipient count the user saw on the launch button; a different count now means the dry run changed. */
    expectedRecipients: z.number().int().min(0).optional(),
  })
  .strict();

export const BroadcastIdParams = z.object({ broadcastId: z.string().min(1).max(100) });

export const BroadcastStatus = z.enum(['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled']);

export const DryRun = z.object({
  /** Ids selected in Kommo, contacts found for them, and phones before merging. */
  selected: z.number().int(),
  phones: z.number().int(),
  /** Phones that appeared more than once and were merged. */
  merged: z.number().int(),
  recipients: z.number().int(),
  exclusions: z.record(z.enum(EXCLUSION_REASONS), z.number().int()),
  messagesNeeded: z.number().int(),
  allowanceLeft: z.number().int(),
  /** Seconds at the configured pace over the chosen numbers (and days when the daily limits bind). */
  estimatedSeconds: z.number(),
  preview: z.array(z.object({ name: z.string().nullable(), phone: z.string(), text: z.string() })),
});

export const BroadcastCounts = z.object({
  total: z.number().int(),
  queued: z.number().int(),
  sent: z.number().int(),
  delivered: z.number().int(),
  read: z.number().int(),
  failed: z.number().int(),
  replied: z.number().int(),
  optedOut: z.number().int(),
  cancelled: z.number().int(),
});

export const BroadcastView = z.object({
  id: z.string(),
  name: z.string(),
  status: BroadcastStatus,
  pause: z.object({ reason: z.string(), detail: z.string() }).nullable(),
  template: z.object({ name: z.string(), language: z.string(), body: z.string() }),
  consentSource: z.enum(CONSENT_SOURCES),
  numberIds: z.array(z.string()),
  scheduledAt: z.iso.datetime().nullable(),
  quietHours: z.object({ from: z.string(), to: z.string() }).nullable(),
  createdAt: z.iso.datetime(),
  launchedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  counts: BroadcastCounts,
  /** Share of recipients with a final outcome (sent, failed or cancelled), 0–100. */
  progress: z.number(),
  dryRun: DryRun.nullable(),
  failures: z.array(z.object({ code: z.number().int(), title: z.string(), count: z.number().int(), retryable: z.boolean() })),
});
export type BroadcastView = z.infer<typeof BroadcastView>;
export const BroadcastList = z.object({ broadcasts: z.array(BroadcastView.omit({ dryRun: true, failures: true })) });
export const SavedAudienceList = z.object({ audiences: z.array(z.object({ id: z.string(), name: z.string(), source: z.enum(['leads', 'contacts']), size: z.number().int() })) });
