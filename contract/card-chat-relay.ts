/** A card opens with the newest 200 messages (the card call's largest first page): most chats in one answer. */
export const CARD_FIRST_PAGE = 200;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const listOf = (v: unknown, each: (item: Record<string, unknown>) => boolean) => Array.isArray(v) && v.every((item) => isObject(item) && each(item));
const hasId = (item: Record<string, unknown>) => typeof item.id === 'string';

/**
 * The card's chat as the loader relays it from the sign-in's answer (docs/decisions/040). The card
 * types our backend's answers rather than checking every field (docs/decisions/030); what Kommo's
 * page posts is checked, so this says the relayed value is a card-chat answer the chat can draw: its
 * numbers, conversations and messages have ids, each conversation its phone, each refused phone
 * its error, each message its direction, type, time and content. It is narrower than the contract's
 * `CardChat` (a check the card can carry without zod): the contract-shapes test compares it with
 * itself, not with that schema. No zod here: the card imports it.
 */
export function isCardChatAnswer(value: unknown): boolean {
  if (!isObject(value)) return false;
  const page = value.page;
  return (
    listOf(value.numbers, hasId) &&
    listOf(value.conversations, (c) => typeof c.phone === 'string' && isObject(c.conversation) && hasId(c.conversation)) &&
    listOf(value.refused, (r) => typeof r.phone === 'string' && isObject(r.error) && typeof r.error.code === 'string' && typeof r.error.message === 'string') &&
    (page === null ||
      (isObject(page) &&
        listOf(
          page.messages,
          (m) => hasId(m) && typeof m.direction === 'string' && typeof m.type === 'string' && typeof m.createdAt === 'string' && isObject(m.content),
        )))
  );
}
