import express, { Router } from 'express';
import {
  CardChatInput,
  ConnectNumberInput,
  ConversationIdParams,
  MessageIdParams,
  MediaQuery,
  MessagesQuery,
  NumberIdParams,
  OpenConversationInput,
  SendMessageInput,
} from '../../../contract/whatsapp';
import { requireAdmin, sessionOf } from '../auth/require-session';
import { narrowedTo, viewerOf } from '../auth/viewer';
import { sendJsonText } from '../http/json-text';
import { parse } from '../http/parse';
import type { LicenceService } from '../licensing/licence-service';
import type { LiveEvents } from '../live/live-events';
import type { ChatService } from './chat-service';
import { numberView, type NumbersService } from './numbers-service';
import type { TemplatesService } from './templates-service';
import { receivedFile, uploadGate } from './upload-gate';
import type { WebhookIntake } from './webhook-intake';
import type { Logger } from 'pino';
import { ConversationsQuery } from '../../../contract/public-api';

/** Meta's webhook: GET for the handshake, POST with the raw body for the signature (mounted before JSON parsing). */
export function whatsappWebhookRoutes(intake: WebhookIntake): Router {
  const router = Router();
  router.get('/whatsapp/webhook', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    res.type('text/plain').send(intake.verify({ mode: q['hub.mode'], token: q['hub.verify_token'], challenge: q['hub.challenge'] }));
  });
  router.post('/whatsapp/webhook', express.raw({ type: () => true, limit: '3mb' }), async (req, res) => {
    await intake.receive(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), req.header('x-hub-signature-256'));
    res.sendStatus(200);
  });
  return router;
}

/** Numbers (admin), conversations and messages (every enabled user), all scoped to the session's account. */
export function chatRoutes(deps: {
  numbers: NumbersService;
  chat: ChatService;
  licences: LicenceService;
  live: LiveEvents;
  templates: TemplatesService;
  logger: Logger;
}): Router {
  const router = Router();

  // Server push: new messages and status changes of the session's account.
  router.get('/events', (_req, res) => {
    deps.live.attach(sessionOf(res), res);
  });

  router.get('/numbers', async (_req, res) => {
    const { accountId } = sessionOf(res);
    res.json({ numbers: (await deps.numbers.list(accountId)).map(numberView), limit: await deps.licences.numberLimit(accountId) });
  });
  router.post('/numbers', async (req, res) => {
    const session = requireAdmin(res);
    const input = parse(ConnectNumberInput, req.body, 'body');
    const number = await deps.numbers.connect(session.accountId, session.userId, input);
    // Templates come along with the number; if Meta is slow now, the schedule catches up.
    await deps.templates.sync(number).catch((err) => deps.logger.warn({ err }, 'template sync after connect failed'));
    res.status(201).json(numberView(number));
  });
  router.get('/numbers/:numberId/templates', async (req, res) => {
    const { numberId } = parse(NumberIdParams, req.params, 'params');
    res.json({ templates: await deps.templates.approved(sessionOf(res).accountId, numberId) });
  });
  router.post('/numbers/:numberId/templates/sync', async (req, res) => {
    const { numberId } = parse(NumberIdParams, req.params, 'params');
    const { accountId } = sessionOf(res);
    await deps.templates.sync(await deps.numbers.find(accountId, numberId));
    res.json({ templates: await deps.templates.approved(accountId, numberId) });
  });
  router.delete('/numbers/:numberId', async (req, res) => {
    const session = requireAdmin(res);
    const { numberId } = parse(NumberIdParams, req.params, 'params');
    await deps.numbers.disconnect(session.accountId, session.userId, numberId);
    res.status(204).end();
  });

  // One phone's conversations are the card's (an agent opens it in Kommo); the whole list is narrowed
  // for an agent to the customers they took part with (auth/viewer.ts).
  router.get('/conversations', async (req, res) => {
    const { phone } = parse(ConversationsQuery, req.query, 'query');
    res.json({ conversations: await deps.chat.list(sessionOf(res).accountId, phone, phone ? null : narrowedTo(viewerOf(res))) });
  });
  router.post('/conversations', async (req, res) => {
    const input = parse(OpenConversationInput, req.body, 'body');
    res.status(201).json(await deps.chat.open(sessionOf(res).accountId, input));
  });
  // The card's chat in one round trip: numbers, conversations and the first page (docs/decisions/021).
  router.post('/card-chat', async (req, res) => {
    const { phones, limit } = parse(CardChatInput, req.body, 'body');
    sendJsonText(res, await deps.chat.cardChat(sessionOf(res).accountId, phones, limit));
  });
  router.get('/conversations/:conversationId', async (req, res) => {
    const { conversationId } = parse(ConversationIdParams, req.params, 'params');
    res.json(await deps.chat.get(sessionOf(res).accountId, conversationId));
  });
  router.get('/unread', async (_req, res) => {
    res.json(await deps.chat.unread(sessionOf(res).accountId));
  });

  router.get('/messages/:messageId/media', async (req, res) => {
    const { messageId } = parse(MessageIdParams, req.params, 'params');
    const file = await deps.chat.media(sessionOf(res).accountId, messageId);
    // A customer's file is downloaded, never rendered on our origin (an HTML or SVG file could run script there).
    res
      .type(file.mimeType)
      .set({
        'Cache-Control': 'private, max-age=300',
        'Content-Disposition': `attachment; filename="${messageId.replace(/[^A-Za-z0-9_-]/g, '')}"`,
        'X-Content-Type-Options': 'nosniff',
      })
      .send(file.bytes);
  });

  router.post('/conversations/:conversationId/read', async (req, res) => {
    const { conversationId } = parse(ConversationIdParams, req.params, 'params');
    res.json(await deps.chat.markRead(sessionOf(res).accountId, conversationId));
  });

  router.post('/conversations/:conversationId/opt-in', async (req, res) => {
    const session = sessionOf(res);
    const { conversationId } = parse(ConversationIdParams, req.params, 'params');
    res.json(await deps.chat.optIn(session.accountId, session.userId, conversationId));
  });

  router.get('/conversations/:conversationId/messages', async (req, res) => {
    const { conversationId } = parse(ConversationIdParams, req.params, 'params');
    const page = parse(MessagesQuery, req.query, 'query');
    sendJsonText(res, await deps.chat.messages(sessionOf(res).accountId, conversationId, page));
  });
  // A file to send as it is: the raw bytes (streamed to a temporary file), their Content-Type, and the kind in the query.
  const upload = uploadGate()(
    (query) => parse(MediaQuery, query, 'query').kind,
    (res) => sessionOf(res).accountId,
  );
  router.post('/conversations/:conversationId/media', upload, async (req, res) => {
    const session = sessionOf(res);
    const { conversationId } = parse(ConversationIdParams, req.params, 'params');
    const query = parse(MediaQuery, req.query, 'query');
    const { content, size } = receivedFile(res);
    const mimeType = req.header('content-type') ?? 'application/octet-stream';
    const filename = query.filename ?? `${query.kind}.${mimeType.split('/')[1]?.split(';')[0] ?? 'bin'}`;
    res
      .status(201)
      .json(
        await deps.chat.send(
          session.accountId,
          session.userId,
          { conversationId },
          { type: query.kind, file: { content, size, mimeType, filename }, caption: query.caption },
        ),
      );
  });

  router.post('/conversations/:conversationId/messages', async (req, res) => {
    const session = sessionOf(res);
    const { conversationId } = parse(ConversationIdParams, req.params, 'params');
    const input = parse(SendMessageInput, req.body, 'body');
    res.status(201).json(await deps.chat.send(session.accountId, session.userId, { conversationId }, input));
  });

  return router;
}
