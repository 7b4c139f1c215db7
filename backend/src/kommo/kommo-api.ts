/** What the backend needs from Kommo. The real adapter speaks HTTP; tests and the demo point it at the fake. */
export interface KommoApi {
  exchangeCode(accountHost: string, code: string): Promise<KommoTokens>;
  refreshTokens(accountHost: string, refreshToken: string): Promise<KommoTokens>;
  getAccount(accountHost: string, accessToken: string): Promise<KommoAccountInfo>;
  /** One user: name, login (the email they sign in to Kommo with) and admin right (`GET /api/v4/users/{id}`). */
  getUser(accountHost: string, accessToken: string, userId: number): Promise<KommoUser>;
  /** The first contact whose fields match the phone, if any. */
  findContactByPhone(accountHost: string, accessToken: string, phone: string): Promise<{ id: number; name: string } | undefined>;
  addNotes(accountHost: string, accessToken: string, entity: 'leads' | 'contacts', notes: KommoNote[]): Promise<void>;
  /** Creates a contact with this phone and a lead for it; returns both ids. */
  createContactWithLead(
    accountHost: string,
    accessToken: string,
    input: { contactName: string; phone: string; leadName: string },
  ): Promise<{ contactId: number; leadId: number }>;
  /** Leads by id (at most 250 per call) with their contacts and owner; unknown ids are left out. */
  getLeads(accountHost: string, accessToken: string, ids: number[]): Promise<KommoLead[]>;
  /** Contacts by id (at most 250 per call) with their phones and custom fields; unknown ids are left out. */
  getContacts(accountHost: string, accessToken: string, ids: number[]): Promise<KommoContact[]>;
  /** A task for a user, attached to a lead. */
  addTask(accountHost: string, accessToken: string, task: { leadId: number; responsibleUserId: number; text: string; completeTill: Date }): Promise<void>;
  /** Continues a Salesbot waiting in a `widget_request` step; `data` is what the bot reads as {{json.*}}. */
  continueSalesbot(accountHost: string, accessToken: string, botId: number, continueId: string, body: { data: Record<string, string> }): Promise<void>;
}

export interface KommoLead {
  id: number;
  name: string;
  responsibleUserId: number | null;
  contactIds: number[];
  statusId: number | null;
  /** The sale's value (Kommo's "budget"), in the account's currency. */
  price: number | null;
  /** Custom fields' first values, by field id. */
  fields: Record<string, string>;
}

export interface KommoContact {
  id: number;
  name: string;
  firstName: string;
  lastName: string;
  phones: string[];
  /** Custom field values by field id (the first value of multi-value fields). */
  fields: Record<string, string>;
}

/** Kommo answers list requests for this many ids at most. */
export const KOMMO_PAGE_LIMIT = 250;

export interface KommoNote {
  entityId: number;
  noteType: 'sms_in' | 'sms_out' | 'extended_service_message' | 'common';
  params: Record<string, string>;
  /** When it happened; a note written late after retries still sits at its time in the timeline. */
  createdAt?: Date;
}

export interface KommoTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

export interface KommoUser {
  id: number;
  name: string;
  login: string | null;
  /** `rights.is_admin` in Kommo's users API. */
  isAdmin: boolean;
}

export interface KommoAccountInfo {
  id: number;
  name: string;
  subdomain: string;
  /** The user whose token this is: at install, the admin who installed. */
  currentUserId?: number;
  country?: string;
  currency?: string;
  language?: string;
  timezone?: string;
}

/** Kommo refused or failed a call; `status` is the HTTP status, 0 when no answer came. */
export class KommoApiError extends Error {
  override readonly name = 'KommoApiError';

  constructor(
    message: string,
    readonly status: number,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export function isKommoApiError(value: unknown): value is KommoApiError {
  return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'KommoApiError';
}
