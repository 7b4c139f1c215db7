import express, { type RequestHandler } from 'express';
import { MEDIA_RULES, mediaProblem, type MediaKind } from '../../../contract/media-rules';
import { AppError } from '../http/app-error';

/**
 * What an upload may hold in memory (SPEC §8: limits are explicit). A file is checked against its
 * kind's limit from the declared Content-Length before a byte of it is read; an account has a few
 * uploads in flight at once, and the instance a bounded number of bytes in all.
 */
export function uploadGate(options: { perAccount?: number; totalBytes?: number } = {}) {
  const perAccount = options.perAccount ?? 3;
  const totalBytes = options.totalBytes ?? 256 * 1024 * 1024;
  const byAccount = new Map<string, number>();
  let reserved = 0;
  // One body reader per kind, each stopping at its kind's limit (a body longer than it said is cut).
  const readers = Object.fromEntries(
    Object.entries(MEDIA_RULES).map(([kind, rule]) => [kind, express.raw({ type: () => true, limit: rule.maxBytes })]),
  ) as unknown as Record<MediaKind, RequestHandler>;

  /** Checks the declared file before reading it, reserves its room, and reads it. */
  return (kindOf: (query: unknown) => MediaKind, accountOf: (res: express.Response) => string): RequestHandler =>
    (req, res, next) => {
      const kind = kindOf(req.query);
      const declared = req.header('content-length');
      if (declared === undefined || !/^\d{1,12}$/.test(declared)) {
        return next(new AppError('length_required', 'Send the file with its Content-Length.', 411));
      }
      const size = Number(declared);
      const problem = mediaProblem(kind, req.header('content-type') ?? '', size);
      if (problem) return next(new AppError(problem.code, problem.message, problem.code === 'media_too_large' ? 413 : 415));
      const accountId = accountOf(res);
      const mine = byAccount.get(accountId) ?? 0;
      if (mine >= perAccount) return next(new AppError('too_many_uploads', `At most ${perAccount} files upload at once per account; wait for one to finish.`, 429));
      if (reserved + size > totalBytes) return next(new AppError('uploads_busy', 'Too many files are uploading right now; try again in a moment.', 503));
      byAccount.set(accountId, mine + 1);
      reserved += size;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        reserved -= size;
        const left = (byAccount.get(accountId) ?? 1) - 1;
        if (left) byAccount.set(accountId, left);
        else byAccount.delete(accountId);
      };
      res.on('finish', release);
      res.on('close', release);
      readers[kind](req, res, next);
    };
}
