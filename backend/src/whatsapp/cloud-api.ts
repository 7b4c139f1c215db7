/** What the relay needs from the WhatsApp Cloud API. The real adapter speaks HTTP; tests and the demo point it at the fake. */
export interface CloudApi {
  /** Reads a phone number with the given token: proves both are real before we save them. */
  getPhoneNumber(phoneNumberId: string, token: string): Promise<{ id: string; displayPhoneNumber: string; verifiedName?: string; dailyLimit?: number }>;
  /** The phone-number ids of a WhatsApp Business Account, as the token may read them. */
  listWabaPhoneNumbers(wabaId: string, token: string): Promise<string[]>;
  send(phoneNumberId: string, token: string, message: OutboundMessage): Promise<{ wamid: string; waId: string }>;
  listTemplates(wabaId: string, token: string): Promise<CloudTemplate[]>;
  /** Tells the customer their message was read (blue ticks). */
  markRead(phoneNumberId: string, token: string, wamid: string): Promise<void>;
  /** Downloads media a customer sent (the URL Meta gives lives 5 minutes, so it is asked for each time). */
  downloadMedia(mediaId: string, token: string): Promise<{ bytes: Buffer; mimeType: string }>;
  /** Uploads a file for sending (read from `content` as it is sent, e.g. a Blob backed by a file); the id is valid for 30 days. */
  uploadMedia(phoneNumberId: string, token: string, file: { content: Blob; mimeType: string; filename: string }): Promise<{ id: string }>;
}

export interface CloudTemplate {
  /** Meta's template id (status webhooks name the template by it). */
  id?: string;
  name: string;
  language: string;
  status: string;
  category?: string;
  /** The BODY component's text, with {{1}}… placeholders. */
  body: string;
  /** The HEADER's format when it is media (IMAGE, VIDEO, DOCUMENT) or TEXT. */
  headerFormat?: string;
  footer?: string;
  buttons?: { type: string; text: string }[];
}

export type OutboundMessage =
  | { to: string; type: 'text'; text: { body: string; preview_url?: boolean }; context?: { message_id: string } }
  | {
      to: string;
      type: 'image' | 'video' | 'document' | 'audio';
      media: { id?: string; link?: string; caption?: string; filename?: string };
      context?: { message_id: string };
    }
  | { to: string; type: 'template'; template: { name: string; language: { code: string }; components?: unknown[] }; biz_opaque_callback_data?: string };

export type ErrorClass = 'retryable' | 'rate_limit' | 'window_closed' | 'auth' | 'final';

/** A refusal from the Cloud API, classified by its code (reference/whatsapp-cloud-api.md §1, §4). */
export class CloudApiError extends Error {
  override readonly name = 'CloudApiError';

  constructor(
    readonly code: number,
    readonly title: string,
    readonly details: string | undefined,
    readonly httpStatus: number,
  ) {
    super(`(#${code}) ${title}`);
  }

  get errorClass(): ErrorClass {
    return classify(this.code);
  }
}

const RETRYABLE = new Set([131000, 131016, 131057, 1, 2]);
const RATE = new Set([130429, 131056, 4, 80007]);
const AUTH = new Set([0, 3, 10, 190]);

export function classify(code: number): ErrorClass {
  if (code === 131047) return 'window_closed';
  if (RATE.has(code)) return 'rate_limit';
  if (RETRYABLE.has(code)) return 'retryable';
  if (AUTH.has(code) || (code >= 200 && code <= 299)) return 'auth';
  return 'final';
}

export function isCloudApiError(value: unknown): value is CloudApiError {
  return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'CloudApiError';
}
