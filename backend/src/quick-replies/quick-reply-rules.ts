import { randomUUID } from 'node:crypto';

/**
 * What a placeholder can name. {{contact.cf.700001}} is the contact's custom field 700001 (its
 * first value), as Kommo numbers fields, and {{lead.cf.…}} the lead's; {{lead.price}} is the lead's
 * sale value. An unknown name is left as written, so a typo shows.
 */
const PLACEHOLDER = /\{\{\s*(contact\.(?:name|first_name|last_name|cf\.\d{1,12})|lead\.(?:name|price|cf\.\d{1,12}))\s*\}\}/g;

/** The CRM values a quick reply is filled from; null where the card has no contact or no lead. */
export interface CrmValues {
  contact: { name: string; firstName: string; lastName: string; fields: Record<string, string> } | null;
  lead: { name: string; price: number | null; fields: Record<string, string> } | null;
}

export const newQuickReplyId = (): string => randomUUID();

/** The placeholders a text uses, each once, in the order they first appear. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

function valueOf(name: string, crm: CrmValues): string {
  const { contact, lead } = crm;
  if (name.startsWith('lead.')) {
    if (!lead) return '';
    if (name === 'lead.name') return lead.name.trim();
    // A lead without a sale value has price 0 in Kommo: nothing to say.
    if (name === 'lead.price') return lead.price ? String(lead.price) : '';
    return (lead.fields[name.slice('lead.cf.'.length)] ?? '').trim();
  }
  if (!contact) return '';
  if (name === 'contact.name') return contact.name.trim();
  // Kommo keeps first and last name apart only when they were typed apart: a contact entered as one
  // "Maria Silva" has no first name, and the first word is what a person would write.
  if (name === 'contact.first_name') return (contact.firstName || contact.name.trim().split(/\s+/)[0] || '').trim();
  if (name === 'contact.last_name') return contact.lastName.trim();
  return (contact.fields[name.slice('contact.cf.'.length)] ?? '').trim();
}

/**
 * Fills a quick reply's placeholders from the CRM: "Hi {{contact.first_name}}, {{lead.name}} is
 * ready" → "Hi Maria, Website order #1001 is ready". A placeholder with no value is dropped from the
 * text and named in `missing`, so the agent sees what to type before sending.
 */
export function fillQuickReply(text: string, crm: CrmValues): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const filled = text.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = valueOf(name, crm);
    if (!value) missing.add(name);
    return value;
  });
  return { text: filled.replace(/[ \t]{2,}/g, ' ').trim(), missing: [...missing] };
}
