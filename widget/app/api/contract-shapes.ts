import type { AccountView, MeResponse, UserView } from '../../../contract/account';
import type { HostContext, HostMessage } from '../../../contract/host-messages';
import type { SessionResponse } from '../../../contract/session';
import type { z } from 'zod/mini';
import type { CardChat } from '../../../contract/whatsapp';
import { isCardChatAnswer } from '../../../contract/card-chat-relay';
import { array, boolean, custom, datetime, int, nullable, object, oneOf, optional, string, union, type Check } from './shape';

/*
 * The contract's schemas the card checks data against, as shapes (docs/decisions/030): each is
 * typed by the zod schema's type, and `contract-shapes.test.ts` checks it accepts and refuses what
 * that schema does.
 */

const Role = oneOf('admin', 'agent');

const Session: Check<SessionResponse> = object({ token: string, expiresAt: datetime, accountId: string, userId: int, role: Role });

const Context: Check<HostContext> = object({
  area: oneOf('card', 'settings', 'advanced_settings', 'list'),
  entity: nullable(oneOf('leads', 'contacts', 'companies')),
  entityId: nullable(int),
  contacts: array(object({ id: int, name: string, phones: array(string) })),
  selected: array(object({ id: int, type: string }), []),
  user: object({ id: int, name: string }),
  language: string,
  kommoPlan: nullable(string),
});

/** What the loader posts to the iframe (`contract/host-messages.ts` `HostMessage`). */
export const HostMessageShape: Check<HostMessage> = union<HostMessage, 'type'>('type', {
  'wabridge:context': object({
    type: oneOf('wabridge:context'),
    context: Context,
    session: Session,
    cardChat: optional(custom<z.infer<typeof CardChat>>(isCardChatAnswer)),
  }),
  'wabridge:session': object({ type: oneOf('wabridge:session'), session: Session }),
  'wabridge:session-error': object({ type: oneOf('wabridge:session-error'), error: object({ code: string, message: string }) }),
});

const Account: Check<AccountView> = object({
  id: string,
  kommoAccountId: int,
  subdomain: string,
  name: nullable(string),
  status: oneOf('active', 'uninstalled'),
  installedAt: datetime,
  installedBy: nullable(object({ id: int, name: nullable(string), login: nullable(string) })),
  timezone: nullable(string),
  kommoPlan: nullable(object({ name: string, seenAt: datetime })),
});

const User: Check<UserView> = object({ id: int, name: nullable(string), role: Role, enabled: boolean, lastSeenAt: datetime });

/** `GET /api/v1/me`, the handshake every screen waits for (`contract/account.ts` `MeResponse`). */
export const MeShape: Check<MeResponse> = object({ account: Account, user: User });
