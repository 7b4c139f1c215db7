import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { IdGenerator } from '../ids';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request's id (`X-Request-Id`), quoted in error answers and log lines. */
    id?: string;
  }
}

/** A caller's own request id is kept only when it is a plain token. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;
/** Probes, not traffic: never logged. */
const PROBES = new Set(['/health', '/ready', '/metrics']);
/** Paths that carry a secret of their own (an invoice link's signature): logged without it. */
const loggedPath = (path: string) => path.replace(/^(\/invoices\/[^/]+\/)[^/]+\/?$/i, '$1…');

/**
 * Names each request (the caller's `X-Request-Id` when it is a plain token, else a new id), answers
 * with that id in `X-Request-Id`, and logs one line per answered request: method, path (never the
 * query string: it carries Kommo codes and signatures; nor an invoice link's signature), status and
 * time taken. At info, or at error ("request errored") for a server error, so a server error is
 * logged even where info is not. When neither would be written nothing more is done for a request
 * (pino-http built a child logger and serialised the request for each one, logged or not: 7 % of a
 * busy backend's time).
 */
export function requestLog(logger: Logger, ids: IdGenerator): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : ids();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const info = logger.isLevelEnabled('info');
    if ((info || logger.isLevelEnabled('error')) && !PROBES.has(req.path)) {
      const started = performance.now();
      const line = (msg: string) => () => {
        const failed = res.statusCode >= 500;
        if (!failed && !info) return;
        logger[failed ? 'error' : 'info'](
          {
            req: { id, method: req.method, path: loggedPath(req.originalUrl.split('?')[0]!) },
            res: { status: res.statusCode },
            responseTime: Math.round(performance.now() - started),
          },
          failed && msg === 'request completed' ? 'request errored' : msg,
        );
      };
      res.once('finish', line('request completed'));
      res.once('close', () => {
        if (!res.writableFinished) line('request aborted')();
      });
    }
    next();
  };
}
