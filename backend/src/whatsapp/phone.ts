import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { AppError } from '../http/app-error';

/**
 * The one reading of a customer's phone, whichever way it came in (chat open, the public API, a
 * broadcast's CRM phones or list, the digital pipeline): E.164 digits without the plus, the form
 * WhatsApp uses as `wa_id` and the key of a conversation. So "(21) 98765-4321" typed in a Brazilian
 * account and "+5521987654321" from an API client are the same customer.
 *
 * A number with `+` (or `00`) is international. One without is read in the account's country (Kommo's
 * account country) first, then, if that is not a valid number there, as international digits
 * ("14155552671"). Only numbers valid by libphonenumber's full metadata pass.
 */
export function normalisePhone(raw: string, accountCountry?: string | null): { waId: string } | { problem: 'invalid_number' } {
  const country = accountCountry && /^[A-Za-z]{2}$/.test(accountCountry) ? (accountCountry.toUpperCase() as CountryCode) : undefined;
  const trimmed = raw.trim().replace(/^00/, '+');
  const valid = (text: string, inCountry?: CountryCode) => {
    const parsed = parsePhoneNumberFromString(text, inCountry);
    return parsed?.isValid() ? parsed.number.slice(1) : null;
  };
  const waId = valid(trimmed, country) ?? (trimmed.startsWith('+') ? null : valid(`+${trimmed}`));
  return waId ? { waId } : { problem: 'invalid_number' };
}

/** Whether reading the phone needs the account's country: it is written without `+` or `00`. */
export const needsCountry = (raw: string) => !/^\s*(\+|00)/.test(raw);

/** The wa_id of a phone a request named, or 400 `invalid_phone`. */
export function requirePhone(raw: string, accountCountry?: string | null): string {
  const normal = normalisePhone(raw, accountCountry);
  if ('waId' in normal) return normal.waId;
  throw new AppError(
    'invalid_phone',
    'This is not a valid phone number. Write it with its country code (+55 21 98765-4321) or as dialled in the account’s country.',
    400,
  );
}
