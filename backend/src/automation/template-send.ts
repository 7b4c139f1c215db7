import { isAppError } from '../http/app-error';
import type { KommoContact } from '../kommo/kommo-api';
import type { ChatService } from '../whatsapp/chat-service';
import { normalisePhone } from '../whatsapp/phone';
import { pickNumber } from './automation-rules';

/** What became of an automation's template: sent, or refused because the customer opted out (to whom, with which parameters); or not sent for want of a phone or a number. */
export type TemplateSend = { outcome: 'sent' | 'opted_out'; contact: KommoContact; waId: string; parameters: string[] } | { outcome: 'no_phone' | 'no_number' };

/**
 * Sends an automation's template (the digital pipeline's, a Salesbot step's) to a Kommo contact's
 * first phone, read in the account's country, from the number the automation names or else the
 * first one connected. Sent by the automation, not by a person: no agent's name goes on it, and a
 * customer who opted out is refused (SPEC §6). Any other failure is thrown. The country and the
 * numbers are read only when they are needed.
 */
export async function sendTemplateToContact(
  deps: { chat: ChatService; country: () => Promise<string | null | undefined>; numbers: () => Promise<readonly { id: string }[]> },
  accountId: string,
  contact: KommoContact | undefined,
  template: { name: string; language: string; numberId: string | null; parameters: (contact: KommoContact) => string[] },
): Promise<TemplateSend> {
  const raw = contact?.phones[0];
  const phone = raw ? normalisePhone(raw, await deps.country()) : null;
  if (!contact || !phone || !('waId' in phone)) return { outcome: 'no_phone' };
  const number = pickNumber(await deps.numbers(), template.numberId);
  if (!number) return { outcome: 'no_number' };
  const parameters = template.parameters(contact);
  const sent = { contact, waId: phone.waId, parameters };
  try {
    await deps.chat.send(
      accountId,
      null,
      { numberId: number.id, phone: `+${phone.waId}` },
      { type: 'template', name: template.name, language: template.language, bodyParameters: parameters },
      { refuseOptedOut: true },
    );
  } catch (err) {
    if (!isAppError(err) || err.code !== 'opted_out') throw err;
    return { outcome: 'opted_out', ...sent };
  }
  return { outcome: 'sent', ...sent };
}
