import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { ErrorBody } from '../../../contract/error';
import type { ErrorCode } from '../../../contract/error-codes';
import { isAppError, notFound } from './app-error';

/** Errors raised by body-parser carry a `type`; each maps to a stable code here. */
const bodyParserErrors: Record<string, { code: ErrorCode; message: string }> = {
  'entity.parse.failed': { code: 'invalid_json', message: 'The request body is not valid JSON.' },
  'entity.too.large': { code: 'payload_too_large', message: 'The request body is larger than this endpoint accepts.' },
  'encoding.unsupported': { code: 'unsupported_encoding', message: 'The request body encoding is not supported.' },
  'charset.unsupported': { code: 'unsupported_charset', message: 'The request body charset is not supported.' },
  'request.aborted': { code: 'request_aborted', message: 'The request was aborted before its body arrived.' },
  'request.size.invalid': { code: 'invalid_request_size', message: 'The request body does not match its Content-Length.' },
  'parameters.too.many': { code: 'too_many_parameters', message: 'The request has too many parameters.' },
};

export const notFoundHandler: RequestHandler = () => {
  throw notFound();
};

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const requestId = String(req.id ?? '');
    let status: number;
    let body: ErrorBody;
    if (isAppError(err)) {
      status = err.status;
      body = {
        error: {
          code: err.code,
          message: err.message,
          ...(err.issues.length ? { issues: err.issues } : {}),
          ...(Object.keys(err.params).length ? { params: err.params } : {}),
        },
      };
    } else if (err && typeof err === 'object' && typeof err.type === 'string' && bodyParserErrors[err.type]) {
      const known = bodyParserErrors[err.type]!;
      status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 400;
      body = { error: { code: known.code, message: known.message } };
    } else if (storeUnreachable(err)) {
      // The database is down or unreachable: a temporary condition the caller should retry.
      status = 503;
      res.setHeader('Retry-After', '5');
      body = {
        error: {
          code: 'store_unavailable',
          message: 'The service cannot reach its database right now. Nothing was changed; try again in a few seconds.',
          requestId,
        },
      };
    } else {
      status = 500;
      body = { error: { code: 'internal', message: 'Something went wrong on our side. Quote the request id to support.', requestId } };
    }
    if (status >= 500) logger.error({ err, requestId }, 'request failed');
    else logger.info({ requestId, code: body.error.code, status }, 'request refused');
    if (res.headersSent) return;
    res.status(status).json(body);
  };
}

/** PostgreSQL connection failures: refused or dropped sockets, and the server's "connection" and "shutdown" error classes. */
export function storeUnreachable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03'].includes(code) || code.startsWith('08'))
  )
    return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|connection error|Client was closed|Cannot use a pool after calling end/i.test(message)
  );
}
