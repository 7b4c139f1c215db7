import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { z } from 'zod';
import { KommoApiError, type KommoApi } from './kommo-api';

const TokenResponse = z.object({
  token_type: z.string(),
  expires_in: z.number().int().positive(),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
});

const ContactsResponse = z.object({ _embedded: z.object({ contacts: z.array(z.object({ id: z.number().int(), name: z.string().nullish() })) }) });
const NotesResponse = z.object({ _embedded: z.object({ notes: z.array(z.object({ id: z.number() })) }) });

const AccountResponse = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  subdomain: z.string().min(1),
  country: z.string().nullish(),
  currency: z.string().nullish(),
  language: z.string().nullish(),
  _embedded: z
    .object({ datetime_settings: z.object({ timezone: z.string().nullish() }).partial().nullish() })
    .partial()
    .nullish(),
});

export interface KommoHttpApiOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Overrides `https://{accountHost}` for every call (the fake Kommo). */
  apiBase?: string;
  http?: AxiosInstance;
  timeoutMs?: number;
}

/** Kommo OAuth and REST v4 over axios, responses checked with zod. */
export function createKommoHttpApi(options: KommoHttpApiOptions): KommoApi {
  const http = options.http ?? axios.create({ timeout: options.timeoutMs ?? 10_000 });
  const base = (host: string) => options.apiBase?.replace(/\/$/, '') ?? `https://${host}`;

  async function call<S extends z.ZodType>(what: string, schema: S, run: () => Promise<{ data: unknown }>): Promise<z.infer<S>> {
    let data: unknown;
    try {
      ({ data } = await run());
    } catch (error) {
      if (isAxiosError(error)) {
        const body = error.response?.data as { detail?: string; hint?: string; title?: string } | undefined;
        const detail = body?.detail ?? body?.hint ?? body?.title;
        throw new KommoApiError(`Kommo ${what} failed: ${error.response?.status ?? error.code}`, error.response?.status ?? 0, detail);
      }
      throw error;
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new KommoApiError(`Kommo ${what} answered in an unexpected shape`, 502, parsed.error.message);
    return parsed.data;
  }

  const tokens = (host: string, grant: Record<string, string>) =>
    call('token request', TokenResponse, () =>
      http.post(`${base(host)}/oauth2/access_token`, {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uri: options.redirectUri,
        ...grant,
      }),
    ).then((t) => ({ accessToken: t.access_token, refreshToken: t.refresh_token, expiresIn: t.expires_in }));

  return {
    exchangeCode: (host, code) => tokens(host, { grant_type: 'authorization_code', code }),
    refreshTokens: (host, refreshToken) => tokens(host, { grant_type: 'refresh_token', refresh_token: refreshToken }),
    async getAccount(host, accessToken) {
      const account = await call('account read', AccountResponse, () =>
        http.get(`${base(host)}/api/v4/account`, {
          params: { with: 'datetime_settings' },
          headers: { Authorization: `Bearer ${accessToken}` },
        }),
      );
      return {
        id: account.id,
        name: account.name,
        subdomain: account.subdomain,
        country: account.country ?? undefined,
        currency: account.currency ?? undefined,
        language: account.language ?? undefined,
        timezone: account._embedded?.datetime_settings?.timezone ?? undefined,
      };
    },
    async findContactByPhone(host, accessToken, phone) {
      const response = await http.get(`${base(host)}/api/v4/contacts`, { params: { query: phone.replace(/\D/g, '') }, headers: { Authorization: `Bearer ${accessToken}` }, validateStatus: (s) => s === 200 || s === 204 || s >= 400 });
      // Kommo answers a search with no match as 204 and no body.
      if (response.status === 204) return undefined;
      if (response.status >= 400) throw new KommoApiError(`Kommo contact search failed: ${response.status}`, response.status);
      const parsed = ContactsResponse.safeParse(response.data);
      if (!parsed.success) throw new KommoApiError('Kommo contact search answered in an unexpected shape', 502);
      const first = parsed.data._embedded.contacts[0];
      return first ? { id: first.id, name: first.name ?? '' } : undefined;
    },
    async createContactWithLead(host, accessToken, input) {
      const created = await call('lead creation', z.array(z.object({ id: z.number(), contact_id: z.number() })).min(1), () =>
        http.post(
          `${base(host)}/api/v4/leads/complex`,
          [{ name: input.leadName, _embedded: { contacts: [{ name: input.contactName, custom_fields_values: [{ field_code: 'PHONE', values: [{ value: input.phone, enum_code: 'MOB' }] }] }] } }],
          { headers: { Authorization: `Bearer ${accessToken}` } },
        ),
      );
      return { contactId: created[0]!.contact_id, leadId: created[0]!.id };
    },
    async addNotes(host, accessToken, entity, notes) {
      await call('notes', NotesResponse, () =>
        http.post(
          `${base(host)}/api/v4/${entity}/notes`,
          notes.map((n) => ({ entity_id: n.entityId, note_type: n.noteType, params: n.params, ...(n.createdAt ? { created_at: Math.floor(n.createdAt.getTime() / 1000) } : {}) })),
          { headers: { Authorization: `Bearer ${accessToken}` } },
        ),
      );
    },
  };
}
