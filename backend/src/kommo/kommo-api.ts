/** What the backend needs from Kommo. The real adapter speaks HTTP; tests and the demo point it at the fake. */
export interface KommoApi {
  exchangeCode(accountHost: string, code: string): Promise<KommoTokens>;
  refreshTokens(accountHost: string, refreshToken: string): Promise<KommoTokens>;
  getAccount(accountHost: string, accessToken: string): Promise<KommoAccountInfo>;
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
