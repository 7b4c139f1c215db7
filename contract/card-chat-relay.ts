/** A card opens with the newest 200 messages (the card call's largest first page): most chats in one answer. */
export const CARD_FIRST_PAGE = 200;

/**
 * The card's chat as the loader relays it from the sign-in's answer (docs/decisions/039). The card
 * types our backend's answers rather than checking them field by field (docs/decisions/030); what
 * Kommo's page posts is checked, so this says the relayed value is a card-chat answer at all. No zod
 * here: the card imports it.
 */
export function isCardChatAnswer(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const chat = value as Record<string, unknown>;
  const page = chat.page as Record<string, unknown> | null | undefined;
  return (
    Array.isArray(chat.numbers) &&
    Array.isArray(chat.conversations) &&
    Array.isArray(chat.refused) &&
    (page === null || (typeof page === 'object' && page !== undefined && Array.isArray(page.messages)))
  );
}
