/** One field at fault in a refused request. */
export interface ErrorIssue {
  path: string;
  message: string;
}

/**
 * The application's single error type: a stable machine code, a sentence for a person,
 * and the HTTP status the error middleware answers with.
 */
export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly issues: ErrorIssue[] = [],
  ) {
    super(message);
  }
}

/** Works across module copies and realms, where `instanceof` does not. */
export function isAppError(value: unknown): value is AppError {
  return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'AppError';
}

export const badRequest = (code: string, message: string, issues: ErrorIssue[] = []) =>
  new AppError(code, message, 400, issues);
export const unauthorized = (code: string, message: string) => new AppError(code, message, 401);
export const forbidden = (code: string, message: string) => new AppError(code, message, 403);
export const notFound = (message = 'Nothing was found at this address.') => new AppError('not_found', message, 404);
