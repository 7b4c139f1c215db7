import { z } from 'zod/mini';

/** An account holds at most this many digital-pipeline automations. */
export const AUTOMATION_LIMIT = 50;

/**
 * A digital-pipeline automation as the admin makes it in the widget (SPEC §7): what to send when
 * Kommo's action fires. Kommo's action settings carry only the automation's id.
 */
export const DpAutomationInput = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(80)),
  /** Our number id (from GET /api/v1/numbers); null = the first connected number at send time. */
  numberId: z._default(z.nullable(z.string().check(z.minLength(1), z.maxLength(100))), null),
  template: z.string().check(z.trim(), z.regex(/^[a-z0-9_]{1,512}$/, 'must be an approved template name')),
  language: z.string().check(z.trim(), z.regex(/^[a-z]{2}(_[A-Z]{2})?$/, 'must be a template language such as en_US')),
  /** Body parameters in order; {{contact.name}}, {{contact.first_name}}, {{lead.name}} are filled in from Kommo. */
  parameters: z._default(z.array(z.string().check(z.maxLength(1024))).check(z.maxLength(20)), []),
});
export type DpAutomationInput = z.input<typeof DpAutomationInput>;

export const DpAutomationView = z.object({
  /** Unguessable: the value the admin puts in Kommo's digital-pipeline action. */
  id: z.string(),
  name: z.string(),
  numberId: z.nullable(z.string()),
  template: z.string(),
  language: z.string(),
  parameters: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type DpAutomationView = z.infer<typeof DpAutomationView>;
export const DpAutomationList = z.object({ automations: z.array(DpAutomationView) });
export const DpAutomationIdParams = z.object({ automationId: z.string().check(z.minLength(1), z.maxLength(100)) });
