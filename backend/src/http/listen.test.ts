import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from './listen';

describe('listening', () => {
  const open: (() => void)[] = [];
  afterEach(() => open.splice(0).forEach((close) => close()));

  it('when a client sends its next request on a connection idle for longer than Node’s default 5 s, then the server kept it open and answers on it', async () => {
    const app = express();
    app.get('/', (_req, res) => res.send('ok'));
    const server = listen(app, 0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    open.push(
      () => server.close(),
      () => agent.destroy(),
    );
    const { port } = server.address() as AddressInfo;
    // The local port of the socket each request went out on: the same port means the same connection.
    const get = () =>
      new Promise<{ status: number; localPort: number }>((done, fail) => {
        const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', () => done({ status: res.statusCode ?? 0, localPort: req.socket?.localPort ?? 0 }));
        });
        req.on('error', fail);
        req.end();
      });
    const first = await get();
    await new Promise((r) => setTimeout(r, 6000));
    const second = await get();
    expect(second.status).toBe(200);
    expect(second.localPort, 'the idle connection was closed by the server').toBe(first.localPort);
  }, 20_000);
});
