/** What the backend needs from Kommo. The real adapter speaks HTTP; tests and the demo point it at the fake. */
export interface KommoApi {
  exchangeCode(accountHost: string, code: string): Promise<KommoTokens>;
  refreshTokens(accountHost: string, refreshToken: string): Promise<KommoTokens>;
  getAccount(accountHost: string, accessToken: string): Promise<KommoAccountInfo>;
  /** The first contact whose fields match the phone, if any. */
  findContactByPhone(accountHost: string, accessToken: string, phone: string): Promise<{ id: number; name: string } | undefined>;
  addNotes(accountHost: string, accessToken: string, entity: 'leads' | 'contacts', notes: KommoNote[]): Promise<void>;
  /** Creates a contact with this phone and a lead for it; returns both ids. */
  createContactWithLead(accountHost: string, accessToken: string, input: { contactName: string; phone: string; leadName: string }): Promise<{ contactId: number; leadId: number }>;
}

export interface KommoNote {
  entityId: number;
  noteType: 'sms_in' | 'sms_out' | 'extended_service_message';
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

export interface KommoAccountInfo {
  id: number;
  name: string;
  subdomain: string;
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
