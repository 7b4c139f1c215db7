import type { Response } from 'express';
import { sessionOf } from './require-session';

/**
 * Whose customers a request may list (SPEC §9; issue #15 item 14). Kommo decides which cards an agent
 * may open, and we cannot ask it card by card; so an agent sees a customer through the card they open
 * (a phone the card gives), and beyond a card only the customers they took part with: they wrote to
 * them, or they are responsible in Kommo for a lead through which a broadcast reached them. Admins see
 * the whole account, and so does an API key (an integration an admin made for the whole account).
 */
export type Viewer = { wholeAccount: true } | { wholeAccount: false; userId: number };

export function viewerOf(res: Response): Viewer {
  const session = sessionOf(res);
  if (session.role === 'admin' || res.locals.viaApiKey === true) return { wholeAccount: true };
  return { wholeAccount: false, userId: session.userId };
}

/** The user a listing is narrowed to, or null for the whole account (a SQL parameter). */
export const narrowedTo = (viewer: Viewer): number | null => (viewer.wholeAccount ? null : viewer.userId);
