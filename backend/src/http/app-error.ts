import type { ErrorCode } from '../../../contract/error-codes';
import type { FieldIssue } from '../../../contract/error';

/** One field at fault in a refused request. */
export type ErrorIssue = FieldIssue;

/** The figures an error's sentence names, sent along so the widget can say it in its own language. */
export type ErrorParams = Record<string, string | number>;

/**
 * The application's single error type: a stable machine code (one of `ERROR_CODES`), a sentence
 * for a person, and the HTTP status the error middleware answers with.
 */
export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    readonly issues: ErrorIssue[] = [],
    readonly params: ErrorParams = {},
  ) {
    super(message);
  }
}

/** Works across module copies and realms, where `instanceof` does not. */
export function isAppError(value: unknown): value is AppError {
  return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'AppError';
}

export const badRequest = (code: ErrorCode, message: string, issues: ErrorIssue[] = []) => new AppError(code, message, 400, issues);
export const unauthorized = (code: ErrorCode, message: string) => new AppError(code, message, 401);
export const forbidden = (code: ErrorCode, message: string) => new AppError(code, message, 403);
export const notFound = (message = 'Nothing was found at this address.') => new AppError('not_found', message, 404);
