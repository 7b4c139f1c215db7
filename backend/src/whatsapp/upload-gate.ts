import type { RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { MEDIA_RULES, mediaProblem, type MediaKind } from '../../../contract/media-rules';
import { AppError, badRequest } from '../http/app-error';

/** A file received whole, on disk: `content` reads it from there (a Blob backed by the file), never all at once. */
export interface ReceivedFile {
  content: Blob;
  size: number;
}

/**
 * What an upload may cost (SPEC §8: limits are explicit; issue #15 item 5). A file is checked against its
 * kind's limit from the declared Content-Length before a byte of it is read; a body without one (chunked)
 * is read until the kind's limit and cut there. Bodies are streamed to a temporary file, never held in
 * memory, and sent on to Meta from that file (decision 010 says why not straight to Meta). An account has
 * a few uploads in flight at once, and the instance a bounded number of bytes on disk in all.
 */
export function uploadGate(options: { perAccount?: number; totalBytes?: number; dir?: string } = {}) {
  const perAccount = options.perAccount ?? 3;
  const totalBytes = options.totalBytes ?? 256 * 1024 * 1024;
  const dir = options.dir ?? join(tmpdir(), 'wabridge-uploads');
  const byAccount = new Map<string, number>();
  let reserved = 0;

  /** Checks the declared file before reading it, reserves its room, and streams it to a temporary file. */
  return (kindOf: (query: unknown) => MediaKind, accountOf: (res: Response) => string): RequestHandler =>
    async (req, res, next) => {
      const kind = kindOf(req.query);
      const declared = req.header('content-length');
      if (declared !== undefined && !/^\d{1,12}$/.test(declared))
        return next(badRequest('invalid_request_size', 'The Content-Length is not a number of bytes.'));
      const size = declared === undefined ? undefined : Number(declared);
      const mimeType = req.header('content-type') ?? '';
      // Without a Content-Length only the type is checked now; the size is checked as the body arrives.
      const problem = mediaProblem(kind, mimeType, size ?? 1);
      if (problem) return next(new AppError(problem.code, problem.message, problem.code === 'media_too_large' ? 413 : 415));
      const accountId = accountOf(res);
      const mine = byAccount.get(accountId) ?? 0;
      if (mine >= perAccount)
        return next(new AppError('too_many_uploads', `At most ${perAccount} files upload at once per account; wait for one to finish.`, 429));
      const room = size ?? MEDIA_RULES[kind].maxBytes;
      if (reserved + room > totalBytes) return next(new AppError('uploads_busy', 'Too many files are uploading right now; try again in a moment.', 503));
      byAccount.set(accountId, mine + 1);
      reserved += room;
      const path = join(dir, randomUUID());
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        reserved -= room;
        const left = (byAccount.get(accountId) ?? 1) - 1;
        if (left) byAccount.set(accountId, left);
        else byAccount.delete(accountId);
        void rm(path, { force: true });
      };
      res.on('finish', release);
      res.on('close', release);
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const received = await receive(req, path, kind);
        res.locals.upload = { content: await openAsBlob(path, { type: mimeType }), size: received } satisfies ReceivedFile;
        next();
      } catch (err) {
        // The rest of the body is not read: the connection closes after the answer.
        res.setHeader('Connection', 'close');
        next(err);
      }
    };
}

/** The file the upload gate received for this request. */
export function receivedFile(res: Response): ReceivedFile {
  const file = res.locals.upload as ReceivedFile | undefined;
  if (!file) throw new Error('uploadGate() must run before this route');
  return file;
}

/** Streams the body to `path`, stopping with `media_too_large` once it passes the kind's limit. */
function receive(req: IncomingMessage, path: string, kind: MediaKind): Promise<number> {
  const max = MEDIA_RULES[kind].maxBytes;
  return new Promise((resolve, reject) => {
    let received = 0;
    const file = createWriteStream(path, { mode: 0o600 });
    const limiter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received > max) done(new AppError('media_too_large', `The file is larger than WhatsApp takes as ${kind} (${max / 1048576} MB).`, 413));
        else done(null, chunk);
      },
    });
    const fail = (err: unknown) => {
      // Stop reading without destroying the request: the answer must still reach the client.
      req.unpipe(limiter);
      req.pause();
      file.destroy();
      reject(err);
    };
    limiter.on('error', fail);
    file.on('error', fail);
    req.on('aborted', () => fail(badRequest('request_aborted', 'The upload was aborted before the file arrived.')));
    file.on('finish', () => resolve(received));
    req.pipe(limiter).pipe(file);
  });
}
