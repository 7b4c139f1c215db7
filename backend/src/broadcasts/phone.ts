import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * A CRM phone as WhatsApp wants it: E.164 digits without the plus (the wa_id form), or why not.
 * Numbers written without a country code are read in the account's country.
 */
export function normalisePhone(raw: string, defaultCountry?: string): { waId: string } | { problem: 'invalid_number' } {
  const country = defaultCountry && /^[A-Z]{2}$/.test(defaultCountry.toUpperCase()) ? (defaultCountry.toUpperCase() as CountryCode) : undefined;
  const trimmed = raw.trim().replace(/^00/, '+');
  const parsed = parsePhoneNumberFromString(trimmed, country);
  if (!parsed || !parsed.isValid()) return { problem: 'invalid_number' };
  return { waId: parsed.number.replace(/^\+/, '') };
}
