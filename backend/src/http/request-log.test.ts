import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { requestLog } from './request-log';

/** An app behind the request log, its log lines, and a way to call it. */
async function served(level: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  let n = 0;
  const app = express();
  app.use(requestLog(logger, () => `id-${++n}`));
  app.get('/health', (_req, res) => res.send('ok'));
  app.get('/ready', (_req, res) => res.send('ok'));
  app.get('/thing', (req, res) => res.status(204).end());
  app.get('/broken', (req, res) => res.status(503).json({ error: { code: 'store_unavailable' } }));
  app.get('/invoices/:orderId/:token', (req, res) => res.send('invoice'));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { lines, base, close: () => server.close() };
}

describe('request log', () => {
  const open: (() => void)[] = [];
  afterEach(() => open.splice(0).forEach((close) => close()));

  it('when a request is answered, then one info line names its id, method, path without the query string, and status, and the answer carries the id', async () => {
    const s = await served('info');
    open.push(s.close);
    const res = await fetch(`${s.base}/thing?code=kommo-secret-code&signature=abc`, { headers: { 'X-Request-Id': 'req-plain-1' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-request-id')).toBe('req-plain-1');
    await expect.poll(() => s.lines.length).toBe(1);
    expect(s.lines[0]).toMatchObject({ level: 30, msg: 'request completed', req: { id: 'req-plain-1', method: 'GET', path: '/thing' }, res: { status: 204 } });
    expect(JSON.stringify(s.lines)).not.toContain('kommo-secret-code');
  });

  it('when a request is answered with a server error, then its line says it errored, at error level', async () => {
    const s = await served('info');
    open.push(s.close);
    expect((await fetch(`${s.base}/broken`)).status).toBe(503);
    await expect.poll(() => s.lines.length).toBe(1);
    expect(s.lines[0]).toMatchObject({ level: 50, msg: 'request errored', req: { path: '/broken' }, res: { status: 503 } });
  });

  it('when only warnings and errors are logged, then a server error still gets its line and other requests none', async () => {
    const s = await served('warn');
    open.push(s.close);
    expect((await fetch(`${s.base}/thing`)).status).toBe(204);
    expect((await fetch(`${s.base}/broken`)).status).toBe(503);
    await expect.poll(() => s.lines.length).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.lines).toEqual([expect.objectContaining({ level: 50, msg: 'request errored', req: expect.objectContaining({ path: '/broken' }) })]);
  });

  it('when an invoice link is opened, then its path is logged without the link’s signature', async () => {
    const s = await served('info');
    open.push(s.close);
    await fetch(`${s.base}/invoices/ord-1/sig-secret-123`);
    await fetch(`${s.base}/Invoices/ord-1/sig-secret-123/`);
    await expect.poll(() => s.lines.length).toBe(2);
    expect(s.lines[0]).toMatchObject({ req: { path: '/invoices/ord-1/…' } });
    expect(JSON.stringify(s.lines)).not.toContain('sig-secret-123');
  });

  it('when the caller’s request id is not a plain token, then the request gets an id of ours', async () => {
    const s = await served('info');
    open.push(s.close);
    const res = await fetch(`${s.base}/thing`, { headers: { 'X-Request-Id': 'a b <script>' } });
    expect(res.headers.get('x-request-id')).toBe('id-1');
  });

  it('when a probe (health, readiness, metrics) is answered, or info is not logged, then no line is written', async () => {
    const quiet = await served('warn');
    const probed = await served('info');
    open.push(quiet.close, probed.close);
    await fetch(`${quiet.base}/thing`);
    await fetch(`${probed.base}/health`);
    await fetch(`${probed.base}/ready`);
    await new Promise((r) => setTimeout(r, 50));
    expect(quiet.lines).toEqual([]);
    expect(probed.lines).toEqual([]);
  });
});
