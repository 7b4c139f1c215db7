import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { z } from 'zod';
import { KOMMO_PAGE_LIMIT, KommoApiError, type KommoApi } from './kommo-api';

const TokenResponse = z.object({
  token_type: z.string(),
  expires_in: z.number().int().positive(),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
});

const ContactsResponse = z.object({ _embedded: z.object({ contacts: z.array(z.object({ id: z.number().int(), name: z.string().nullish() })) }) });
const CustomFields = z
  .array(z.object({ field_id: z.number().nullish(), field_code: z.string().nullish(), values: z.array(z.object({ value: z.unknown() })).nullish() }))
  .nullish();
/** A contact's or lead's custom fields: the phones (the system field PHONE), and every other field's first value by its id. */
function fieldsOf(values: z.infer<typeof CustomFields>) {
  const fields: Record<string, string> = {};
  const phones: string[] = [];
  for (const f of values ?? []) {
    const given = (f.values ?? []).map((v) => String(v.value ?? '')).filter(Boolean);
    if (f.field_code === 'PHONE') phones.push(...given);
    else if (f.field_id != null && given[0] !== undefined) fields[String(f.field_id)] = given[0];
  }
  return { phones, fields };
}
const LeadsResponse = z.object({
  _embedded: z.object({
    leads: z.array(
      z.object({
        id: z.number().int(),
        name: z.string().nullish(),
        responsible_user_id: z.number().int().nullish(),
        status_id: z.number().int().nullish(),
        price: z.number().nullish(),
        custom_fields_values: CustomFields,
        _embedded: z.object({ contacts: z.array(z.object({ id: z.number().int() })).nullish() }).nullish(),
      }),
    ),
  }),
});
const ContactListResponse = z.object({
  _embedded: z.object({
    contacts: z.array(
      z.object({
        id: z.number().int(),
        name: z.string().nullish(),
        first_name: z.string().nullish(),
        last_name: z.string().nullish(),
        custom_fields_values: CustomFields,
      }),
    ),
  }),
});
const NotesResponse = z.object({ _embedded: z.object({ notes: z.array(z.object({ id: z.number() })) }) });

const UserResponse = z.object({
  id: z.number().int(),
  name: z.string().nullish(),
  email: z.string().nullish(),
  rights: z.object({ is_admin: z.boolean().nullish() }).nullish(),
});

const AccountResponse = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  subdomain: z.string().min(1),
  current_user_id: z.number().int().nullish(),
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

  /** GET of a list filtered by ids; Kommo answers 204 with no body when nothing matches. */
  async function listByIds<S extends z.ZodType>(
    what: string,
    schema: S,
    host: string,
    accessToken: string,
    path: string,
    ids: number[],
    extra: Record<string, string> = {},
  ) {
    if (ids.length > KOMMO_PAGE_LIMIT) throw new RangeError(`at most ${KOMMO_PAGE_LIMIT} ids per Kommo ${what}`);
    const params = new URLSearchParams({ limit: String(KOMMO_PAGE_LIMIT), ...extra });
    for (const id of ids) params.append('filter[id][]', String(id));
    const response = await call(what, z.unknown(), () => http.get(`${base(host)}${path}?${params}`, { headers: { Authorization: `Bearer ${accessToken}` } }));
    if (response === '' || response === undefined || response === null) return undefined;
    const parsed = schema.safeParse(response);
    if (!parsed.success) throw new KommoApiError(`Kommo ${what} answered in an unexpected shape`, 502, parsed.error.message);
    return parsed.data as z.infer<S>;
  }

  return {
    async getLeads(host, accessToken, ids) {
      const data = await listByIds('lead list', LeadsResponse, host, accessToken, '/api/v4/leads', ids, { with: 'contacts' });
      return (data?._embedded.leads ?? []).map((l) => ({
        id: l.id,
        name: l.name ?? '',
        responsibleUserId: l.responsible_user_id ?? null,
        contactIds: (l._embedded?.contacts ?? []).map((c) => c.id),
        statusId: l.status_id ?? null,
        price: l.price ?? null,
        fields: fieldsOf(l.custom_fields_values).fields,
      }));
    },
    async getContacts(host, accessToken, ids) {
      const data = await listByIds('contact list', ContactListResponse, host, accessToken, '/api/v4/contacts', ids);
      return (data?._embedded.contacts ?? []).map((c) => {
        const { phones, fields } = fieldsOf(c.custom_fields_values);
        return { id: c.id, name: c.name ?? '', firstName: c.first_name ?? '', lastName: c.last_name ?? '', phones, fields };
      });
    },
    async addTask(host, accessToken, task) {
      await call('task creation', z.object({ _embedded: z.object({ tasks: z.array(z.object({ id: z.number() })) }) }), () =>
        http.post(
          `${base(host)}/api/v4/tasks`,
          [
            {
              text: task.text,
              complete_till: Math.floor(task.completeTill.getTime() / 1000),
              entity_id: task.leadId,
              entity_type: 'leads',
              responsible_user_id: task.responsibleUserId,
              task_type_id: 1,
            },
          ],
          { headers: { Authorization: `Bearer ${accessToken}` } },
        ),
      );
    },
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
        currentUserId: account.current_user_id || undefined,
        country: account.country ?? undefined,
        currency: account.currency ?? undefined,
        language: account.language ?? undefined,
        timezone: account._embedded?.datetime_settings?.timezone ?? undefined,
      };
    },
    async getUser(host, accessToken, userId) {
      const user = await call('user read', UserResponse, () =>
        http.get(`${base(host)}/api/v4/users/${userId}`, { headers: { Authorization: `Bearer ${accessToken}` } }),
      );
      return { id: user.id, name: user.name ?? '', login: user.email ?? null, isAdmin: user.rights?.is_admin === true };
    },
    async findContactByPhone(host, accessToken, phone) {
      const response = await http.get(`${base(host)}/api/v4/contacts`, {
        params: { query: phone.replace(/\D/g, '') },
        headers: { Authorization: `Bearer ${accessToken}` },
        validateStatus: (s) => s === 200 || s === 204 || s >= 400,
      });
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
          [
            {
              name: input.leadName,
              _embedded: {
                contacts: [{ name: input.contactName, custom_fields_values: [{ field_code: 'PHONE', values: [{ value: input.phone, enum_code: 'MOB' }] }] }],
              },
            },
          ],
          { headers: { Authorization: `Bearer ${accessToken}` } },
        ),
      );
      return { contactId: created[0]!.contact_id, leadId: created[0]!.id };
    },
    async continueSalesbot(host, accessToken, botId, continueId, body) {
      await call('Salesbot continue', z.unknown(), () =>
        http.post(`${base(host)}/api/v4/salesbot/${botId}/continue/${encodeURIComponent(continueId)}`, body, {
          headers: { Authorization: `Bearer ${accessToken}` },
        }),
      );
    },
    async addNotes(host, accessToken, entity, notes) {
      await call('notes', NotesResponse, () =>
        http.post(
          `${base(host)}/api/v4/${entity}/notes`,
          notes.map((n) => ({
            entity_id: n.entityId,
            note_type: n.noteType,
            params: n.params,
            ...(n.createdAt ? { created_at: Math.floor(n.createdAt.getTime() / 1000) } : {}),
          })),
          { headers: { Authorization: `Bearer ${accessToken}` } },
        ),
      );
    },
  };
}
