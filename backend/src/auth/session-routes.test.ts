import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { forbidden } from '../http/app-error';
import { errorMiddleware } from '../http/error-middleware';
import type { JsonText } from '../http/json-text';
import { sessionRoutes } from './session-routes';
import type { SessionService } from './session-service';

const session = { token: 'tok', expiresAt: '2026-11-21T10:15:00.000Z', accountId: 'acc-1', userId: 7, role: 'agent' as const };

describe('the sign-in that carries a card’s chat', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function serve(
    cardChat: (accountId: string, phones: string[], pageSize: number) => Promise<JsonText>,
    open: () => Promise<typeof session> = async () => session,
  ) {
    const app = express();
    app.use(express.json());
    const sessions = { open } as unknown as SessionService;
    app.use(sessionRoutes({ sessions, cardChat, logger: pino({ level: 'silent' }) }));
    app.use(errorMiddleware(pino({ level: 'silent' })));
    const server = createServer(app);
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    close = () => new Promise((done) => server.close(() => done()));
    const { port } = server.address() as AddressInfo;
    return (body: unknown) =>
      fetch(`http://127.0.0.1:${port}/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': 'kommo' },
        body: JSON.stringify(body),
      });
  }

  it('when the card’s chat cannot be read, then the session is still given, without the chat (the card asks for it itself)', async () => {
    const signIn = await serve(async () => {
      throw new Error('the store is gone for a moment');
    });
    const answer = await signIn({ card: { phones: ['+55 11 91234-5678'] } });
    expect(answer.status).toBe(201);
    expect(await answer.json()).toEqual(session);
  });

  it('when the sign-in is refused (uninstalled, consent withdrawn, user disabled), then the card’s chat is never read', async () => {
    let read = 0;
    const signIn = await serve(
      async () => {
        read++;
        return '{}' as JsonText;
      },
      async () => {
        throw forbidden('user_disabled', 'Your administrator has not enabled Wabridge for your user.');
      },
    );
    const answer = await signIn({ card: { phones: ['+55 11 91234-5678'] } });
    expect(answer.status).toBe(403);
    expect(await answer.json()).toEqual({ error: { code: 'user_disabled', message: expect.any(String) } });
    expect(read).toBe(0);
  });

  it('when the card’s chat is read, then it is the answer’s `cardChat`, as the chat service wrote it, for the session’s account and the card’s first page', async () => {
    const asked: unknown[] = [];
    const signIn = await serve(async (...args) => {
      asked.push(args);
      return '{"numbers":[],"conversations":[],"refused":[],"page":null}' as JsonText;
    });
    const answer = await signIn({ card: { phones: ['+55 11 91234-5678'] } });
    expect(answer.status).toBe(201);
    expect(await answer.json()).toEqual({ ...session, cardChat: { numbers: [], conversations: [], refused: [], page: null } });
    expect(asked).toEqual([['acc-1', ['+55 11 91234-5678'], 200]]);
  });
});
