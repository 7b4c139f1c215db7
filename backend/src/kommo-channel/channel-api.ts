import axios, { isAxiosError, type AxiosInstance } from 'axios';
import { z } from 'zod';
import { signAmojoRequest } from './channel-rules';

/** The channel Kommo registered for us (KOMMO_CHANNEL_ID, KOMMO_CHANNEL_SECRET, KOMMO_CHANNEL_BOT_ID). */
export interface ChannelConfig {
  channelId: string;
  secret: string;
  botId: string;
  /** amojo's address: `https://amojo.kommo.com`, or the fake's. */
  amojoBase: string;
  /** The channel's name in Kommo's chat list. */
  title: string;
}

export interface ImportPayload {
  msgid: string;
  conversationId: string;
  at: Date;
  /** `in`: the customer wrote; `out`: sent by `refId` (a Kommo user's amojo id, or the bot's). */
  direction: 'in' | 'out';
  customer: { id: string; name: string; phone: string };
  refId?: string;
  senderName?: string;
  text: string;
  silent?: boolean;
}

/** What the channel needs from Kommo: amojo (signed with the channel secret) and three REST v4 calls (OAuth). */
export interface ChannelApi {
  connect(amojoAccountId: string): Promise<{ scopeId: string }>;
  disconnect(amojoAccountId: string): Promise<void>;
  createChat(scopeId: string, input: { conversationId: string; customer: { id: string; name: string; phone: string } }): Promise<{ chatId: string }>;
  importMessage(scopeId: string, message: ImportPayload): Promise<void>;
  deliveryStatus(scopeId: string, msgid: string, status: { code: 1 | 2 | -1; errorCode?: number; error?: string }): Promise<void>;
  accountAmojoId(host: string, accessToken: string): Promise<string>;
  userAmojoId(host: string, accessToken: string, userId: number): Promise<string>;
  /** The account's Kommo user with this amojo id (the sender of a message in Kommo's chat); undefined when none has it. */
  userOfAmojoId(host: string, accessToken: string, amojoId: string): Promise<number | undefined>;
  linkChat(host: string, accessToken: string, chatId: string, contactId: number): Promise<void>;
}

/** Kommo (amojo or REST) refused or failed a channel call; `status` 0 when no answer came. */
export class ChannelApiError extends Error {
  override readonly name = 'ChannelApiError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const ConnectResponse = z.object({ scope_id: z.string().min(1) });
const ChatResponse = z.object({ id: z.string().min(1) });
const AmojoIdResponse = z.object({ amojo_id: z.string().min(1) });
/** A page of GET /api/v4/users?with=amojo_id. */
const UsersPage = z.object({
  _embedded: z.object({ users: z.array(z.object({ id: z.number().int(), amojo_id: z.string().nullish() })) }),
  _links: z
    .object({ next: z.object({ href: z.string() }).optional() })
    .partial()
    .optional(),
});

export function createChannelHttpApi(options: ChannelConfig & { now: () => Date; apiBase?: string; http?: AxiosInstance }): ChannelApi {
  const http = options.http ?? axios.create({ timeout: 15_000 });
  const base = options.amojoBase.replace(/\/$/, '');

  /** A signed amojo call; the path signed is the one requested. */
  async function amojo<T>(method: 'POST' | 'DELETE', path: string, body: unknown): Promise<T> {
    const text = JSON.stringify(body);
    const headers = signAmojoRequest({ method, path, body: text, secret: options.secret, at: options.now() });
    try {
      // The exact bytes signed are the bytes sent: no re-serialisation by axios.
      const response = await http.request({ method, url: base + path, data: text, headers, transformRequest: [(d: unknown) => d] });
      return response.data as T;
    } catch (err) {
      throw asError(err, `amojo ${method} ${path}`);
    }
  }

  const rest = (host: string) => options.apiBase?.replace(/\/$/, '') ?? `https://${host}`;

  return {
    async connect(amojoAccountId) {
      const data = await amojo('POST', `/v2/origin/custom/${options.channelId}/connect`, {
        account_id: amojoAccountId,
        title: options.title,
        hook_api_version: 'v2',
      });
      return { scopeId: ConnectResponse.parse(data).scope_id };
    },
    async disconnect(amojoAccountId) {
      await amojo('DELETE', `/v2/origin/custom/${options.channelId}/disconnect`, { account_id: amojoAccountId });
    },
    async createChat(scopeId, input) {
      const data = await amojo('POST', `/v2/origin/custom/${scopeId}/chats`, {
        conversation_id: input.conversationId,
        user: { id: input.customer.id, name: input.customer.name, profile: { phone: input.customer.phone } },
      });
      return { chatId: ChatResponse.parse(data).id };
    },
    async importMessage(scopeId, m) {
      const customer = { id: m.customer.id, name: m.customer.name, profile: { phone: m.customer.phone } };
      await amojo('POST', `/v2/origin/custom/${scopeId}`, {
        event_type: 'new_message',
        payload: {
          timestamp: Math.floor(m.at.getTime() / 1000),
          msec_timestamp: m.at.getTime(),
          msgid: m.msgid,
          conversation_id: m.conversationId,
          ...(m.direction === 'in'
            ? { sender: customer }
            : { sender: { ref_id: m.refId, ...(m.senderName ? { name: m.senderName } : {}) }, receiver: customer }),
          message: { type: 'text', text: m.text },
          silent: m.silent ?? false,
        },
      });
    },
    async deliveryStatus(scopeId, msgid, status) {
      await amojo('POST', `/v2/origin/custom/${scopeId}/${msgid}/delivery_status`, {
        msgid,
        delivery_status: status.code,
        ...(status.code === -1 ? { error_code: status.errorCode, error: status.error } : {}),
      });
    },
    async accountAmojoId(host, accessToken) {
      try {
        const r = await http.get(`${rest(host)}/api/v4/account`, { params: { with: 'amojo_id' }, headers: { Authorization: `Bearer ${accessToken}` } });
        return AmojoIdResponse.parse(r.data).amojo_id;
      } catch (err) {
        throw asError(err, 'GET /api/v4/account?with=amojo_id');
      }
    },
    async userAmojoId(host, accessToken, userId) {
      try {
        const r = await http.get(`${rest(host)}/api/v4/users/${userId}`, { params: { with: 'amojo_id' }, headers: { Authorization: `Bearer ${accessToken}` } });
        return AmojoIdResponse.parse(r.data).amojo_id;
      } catch (err) {
        throw asError(err, `GET /api/v4/users/${userId}?with=amojo_id`);
      }
    },
    async userOfAmojoId(host, accessToken, amojoId) {
      for (let page = 1; page <= 40; page++) {
        let r;
        try {
          r = await http.get(`${rest(host)}/api/v4/users`, {
            params: { with: 'amojo_id', page, limit: 250 },
            headers: { Authorization: `Bearer ${accessToken}` },
          });
        } catch (err) {
          throw asError(err, 'GET /api/v4/users?with=amojo_id');
        }
        // 204: past the last page.
        if (r.status === 204 || !r.data) return undefined;
        const parsed = UsersPage.safeParse(r.data);
        if (!parsed.success) throw new ChannelApiError('GET /api/v4/users?with=amojo_id: unexpected answer', 0);
        const user = parsed.data._embedded.users.find((u) => u.amojo_id === amojoId);
        if (user) return user.id;
        if (!parsed.data._links?.next) return undefined;
      }
      return undefined;
    },
    async linkChat(host, accessToken, chatId, contactId) {
      try {
        await http.post(`${rest(host)}/api/v4/contacts/chats`, [{ chat_id: chatId, contact_id: contactId }], {
          headers: { Authorization: `Bearer ${accessToken}` },
        });
      } catch (err) {
        throw asError(err, 'POST /api/v4/contacts/chats');
      }
    },
  };
}

function asError(err: unknown, what: string): Error {
  if (isAxiosError(err)) {
    const status = err.response?.status ?? 0;
    const detail =
      (err.response?.data as { error?: string; detail?: string } | undefined)?.error ?? (err.response?.data as { detail?: string } | undefined)?.detail;
    return new ChannelApiError(`${what}: ${status ? `HTTP ${status}` : (err.code ?? 'no answer')}${detail ? ` — ${detail}` : ''}`, status);
  }
  if (err instanceof z.ZodError) return new ChannelApiError(`${what}: unexpected answer`, 0);
  return err instanceof Error ? err : new Error(String(err));
}
