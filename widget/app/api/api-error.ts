import type { FieldIssue } from '../../../contract/error';

/** A refused or failed call to the Wabridge API, with the backend's stable code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** The fields at fault, as the backend names them (`body.email`). */
    readonly issues: FieldIssue[] = [],
    /** The figures of the error's sentence (`{ words: 'casino' }`), for saying it in the user's language. */
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

/** Works across realms (the app runs in an iframe inside someone else's page). */
export function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'ApiError';
}
