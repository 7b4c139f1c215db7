import { z } from 'zod/mini';
import { isCardChatAnswer } from './card-chat-relay';
import { SessionResponse } from './session';
import { CardChat } from './whatsapp';

/** Where in Kommo the iframe is shown. */
export const Area = z.enum(['card', 'settings', 'advanced_settings', 'list']);
export type Area = z.infer<typeof Area>;

export const CardContact = z.object({
  id: z.int(),
  name: z.string(),
  phones: z.array(z.string()),
});

/** What the loader knows about where the widget is shown (SPEC §2). */
export const HostContext = z.object({
  area: Area,
  entity: z.nullable(z.enum(['leads', 'contacts', 'companies'])),
  entityId: z.nullable(z.int()),
  contacts: z.array(CardContact),
  selected: z._default(z.array(z.object({ id: z.int(), type: z.string() })), []),
  user: z.object({ id: z.int(), name: z.string() }),
  language: z.string(),
  kommoPlan: z.nullable(z.string()),
});
export type HostContext = z.infer<typeof HostContext>;

/** Loader → iframe. */
export const HostMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('wabridge:context'),
    context: HostContext,
    session: SessionResponse,
    /** The card's chat, when the sign-in that opened it carried it (`SessionAnswer`): the card then asks for nothing before it shows it. */
    cardChat: z.optional(z.custom<z.infer<typeof CardChat>>(isCardChatAnswer)),
  }),
  z.object({ type: z.literal('wabridge:session'), session: SessionResponse }),
  z.object({
    type: z.literal('wabridge:session-error'),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
]);
export type HostMessage = z.infer<typeof HostMessage>;

/** Iframe → loader. */
export const AppMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('wabridge:ready') }),
  z.object({ type: z.literal('wabridge:refresh-session') }),
  z.object({ type: z.literal('wabridge:resize'), height: z.int().check(z.gte(0), z.lte(5000)) }),
]);
export type AppMessage = z.infer<typeof AppMessage>;
