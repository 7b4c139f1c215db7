import { AppError } from '../http/app-error';
import type { KommoAccess } from '../kommo/kommo-access';
import { isKommoApiError, KOMMO_PAGE_LIMIT, type KommoApi, type KommoContact, type KommoLead } from '../kommo/kommo-api';
import type { Pacer } from '../whatsapp/pacer';

/** One contact of the audience with what the template parameters may read. */
export interface Candidate {
  contact: KommoContact;
  lead: KommoLead | undefined;
}

const chunks = <T>(items: T[], size: number) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Reads the audience from Kommo a page at a time (250 ids per request, under Kommo's 7 requests/s
 * through the shared pacer, waiting and retrying on 429), and yields the contacts page by page so
 * the caller stores them as they come: memory holds one page, never the audience.
 */
export function createAudienceReader(deps: { kommo: KommoApi; access: KommoAccess; pacer: Pacer; sleep: (ms: number) => Promise<void> }) {
  async function call<T>(accountId: string, run: (host: string, token: string) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { host, accessToken } = await deps.access.accessToken(accountId);
      try {
        return await deps.pacer.run(accountId, () => run(host, accessToken));
      } catch (err) {
        const retry = isKommoApiError(err) && (err.status === 429 || err.status >= 500 || err.status === 0) && attempt < 5;
        if (!retry) {
          const detail = isKommoApiError(err) ? ` (${err.status})` : '';
          throw new AppError('kommo_unavailable', `Kommo did not answer the audience request${detail}; try again in a minute.`, 502);
        }
        await deps.sleep(1000 * 2 ** attempt);
      }
    }
  }

  return {
    async *read(accountId: string, source: 'leads' | 'contacts', ids: number[]): AsyncGenerator<Candidate[]> {
      if (source === 'contacts') {
        for (const page of chunks(ids, KOMMO_PAGE_LIMIT)) {
          const contacts = await call(accountId, (host, token) => deps.kommo.getContacts(host, token, page));
          yield contacts.map((contact) => ({ contact, lead: undefined }));
        }
        return;
      }
      for (const page of chunks(ids, KOMMO_PAGE_LIMIT)) {
        const leads = await call(accountId, (host, token) => deps.kommo.getLeads(host, token, page));
        // All contacts of each selected lead; a contact on two selected leads comes once per page (the store merges the rest).
        const leadOf = new Map<number, KommoLead>();
        for (const lead of leads) for (const id of lead.contactIds) if (!leadOf.has(id)) leadOf.set(id, lead);
        for (const contactPage of chunks([...leadOf.keys()], KOMMO_PAGE_LIMIT)) {
          const contacts = await call(accountId, (host, token) => deps.kommo.getContacts(host, token, contactPage));
          yield contacts.map((contact) => ({ contact, lead: leadOf.get(contact.id) }));
        }
      }
    },
  };
}
export type AudienceReader = ReturnType<typeof createAudienceReader>;
