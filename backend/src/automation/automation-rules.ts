import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * A new automation id: 128 random bits, base64url (22 characters). It is the only thing Kommo's
 * action settings hold, and the only proof a digital-pipeline call has that it comes from a stage
 * the admin set up (Kommo does not sign these calls).
 */
export function newAutomationId(): string {
  return randomBytes(16).toString('base64url');
}

/** What a well-formed automation id looks like; anything else is not looked up. */
export const AUTOMATION_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * Kommo's digital-pipeline call (JSON, or the form encoding Kommo also uses): a lead entered a
 * stage. Of its content we use only ids: which account, which automation (the action's only
 * setting), which lead and stage; whatever else it carries (a template, text, a number, a time) is
 * ignored.
 */
export const DpCall = z.object({
  event: z.object({
    type_code: z.string().max(100),
    data: z.object({ id: z.coerce.number().int().positive(), status_id: z.coerce.number().int().positive() }),
  }),
  action: z
    .object({ settings: z.object({ widget: z.object({ settings: z.object({ automation: z.unknown() }).partial().default({}) }) }) })
    .partial()
    .default({}),
  account_id: z.coerce.number().int().positive(),
});
export type DpCall = z.infer<typeof DpCall>;

/** The automation id a call names, when it has the form of one. */
export function namedAutomation(call: DpCall): string | null {
  const value = call.action.settings?.widget.settings.automation;
  return typeof value === 'string' && AUTOMATION_ID.test(value.trim()) ? value.trim() : null;
}

/** Fills an automation's parameters from Kommo's lead and contact: {{contact.name}}, {{contact.first_name}}, {{lead.name}}. */
export function fillParameters(parameters: readonly string[], from: { contactName: string; contactFirstName: string; leadName: string }): string[] {
  const firstName = from.contactFirstName || from.contactName.split(/\s+/)[0] || '';
  return parameters.map((text) =>
    text
      .replace(/\{\{\s*contact\.name\s*\}\}/g, from.contactName)
      .replace(/\{\{\s*contact\.first_name\s*\}\}/g, firstName)
      .replace(/\{\{\s*lead\.name\s*\}\}/g, from.leadName)
      .trim(),
  );
}

/** The number an automation sends from: the one it names, or the first connected when it names none. */
export function pickNumber<N extends { id: string }>(numbers: readonly N[], numberId: string | null): N | undefined {
  return numberId ? numbers.find((n) => n.id === numberId) : numbers[0];
}
