import { Router } from 'express';
import type { Logger } from 'pino';
import { CARD_FIRST_PAGE } from '../../../contract/card-chat-relay';
import { SessionRequest } from '../../../contract/session';
import { CardChatInput } from '../../../contract/whatsapp';
import { unauthorized } from '../http/app-error';
import { sendJsonText, withJsonMember, type JsonText } from '../http/json-text';
import { parse } from '../http/parse';
import type { SessionService } from './session-service';

export interface SessionRouteDeps {
  sessions: SessionService;
  /** A card's chat as `POST /card-chat` answers it (the chat service's `cardChat`). */
  cardChat(accountId: string, phones: string[], pageSize: number): Promise<JsonText>;
  logger: Logger;
}

export function sessionRoutes(deps: SessionRouteDeps): Router {
  const router = Router();
  router.post('/session', async (req, res) => {
    const kommoToken = req.header('x-auth-token');
    if (!kommoToken) throw unauthorized('missing_token', 'The X-Auth-Token header with Kommo’s one-time token is required.');
    const body = parse(SessionRequest, req.body ?? {}, 'body');
    const session = await deps.sessions.open(kommoToken, body);
    // The card the loader opens with: its chat comes with the session (docs/decisions/040). The
    // sign-in checked what every request checks (installed, consent, user enabled). Phones the card
    // call would refuse, or a chat that cannot be read, do not stop the sign-in: the card asks for its
    // chat itself and says why.
    const phones = body.card && CardChatInput.shape.phones.safeParse(body.card.phones);
    const chat = phones?.success
      ? await deps.cardChat(session.accountId, phones.data, CARD_FIRST_PAGE).catch((err: unknown) => {
          deps.logger.warn({ err, accountId: session.accountId }, 'card chat not read with the sign-in');
          return null;
        })
      : null;
    res.status(201);
    if (chat) sendJsonText(res, withJsonMember(session, 'cardChat', chat));
    else res.json(session);
  });
  return router;
}
