import type { Session } from '../auth/session-token';
import type { Clock } from '../clock';
import { AppError, forbidden, notFound } from '../http/app-error';
import type { KommoAccess } from '../kommo/kommo-access';
import type { KommoApi, KommoContact } from '../kommo/kommo-api';
import type { Db } from '../store/db';
import type { Pacer } from '../whatsapp/pacer';
import { needsCountry, normalisePhone } from '../whatsapp/phone';
import { QUICK_REPLY_LIMIT, type QuickReplyFillInput, type QuickReplyInput } from '../../../contract/quick-replies';
import type { z } from 'zod';
import { fillQuickReply, newQuickReplyId, placeholdersOf, type CrmValues } from './quick-reply-rules';
import { mayEdit, quickReplyStore as store, type Viewer } from './quick-reply-store';

const NOT_FOUND = 'No such quick reply for this user.';
const taken = (shortcut: string) =>
  new AppError('quick_reply_shortcut_taken', `Another quick reply already has the shortcut “/${shortcut}”.`, 409, [
    { path: 'body.shortcut', message: 'is taken' },
  ]);
const viewerOf = (s: Session): Viewer => ({ userId: s.userId, isAdmin: s.role === 'admin' });
type Input = z.infer<typeof QuickReplyInput>;
type FillInput = z.infer<typeof QuickReplyFillInput>;

/**
 * Quick replies (SPEC §5): every user lists the account's and their own, makes their own, and fills
 * one for the card they are in; admins also make the account's. Filling reads the contact and the
 * lead from Kommo with the account's token, so a placeholder is the CRM's value at that moment; only
 * the customer of one of the account's chats, and a lead of theirs, fill it.
 */
export function createQuickReplies(deps: { db: Db; clock: Clock; kommo: KommoApi; access: KommoAccess; kommoPacer: Pacer }) {
  const { db, clock } = deps;

  /** Whether the Kommo contact is the customer of one of the account's WhatsApp chats. */
  async function customerOfAChat(accountId: string, contact: KommoContact): Promise<boolean> {
    const country = contact.phones.some(needsCountry) ? await store.country(db, accountId) : null;
    const waIds = contact.phones.flatMap((raw) => {
      const phone = normalisePhone(raw, country);
      return 'waId' in phone ? [phone.waId] : [];
    });
    return store.isCustomer(db, accountId, contact.id, waIds);
  }

  /** A reply the signed-in user may change; the account's need an admin. */
  async function editable(session: Session, id: string) {
    const reply = await store.visible(db, session.accountId, id, session.userId);
    if (!reply) throw notFound(NOT_FOUND);
    if (!mayEdit(reply, viewerOf(session))) throw forbidden('admin_only', "Only a Kommo administrator can change the account's quick replies.");
    return reply;
  }

  return {
    list: (session: Session) => store.list(db, session.accountId, viewerOf(session)),

    async add(session: Session, input: Input) {
      if (input.scope === 'account' && session.role !== 'admin')
        throw forbidden('admin_only', "Only a Kommo administrator can add the account's quick replies.");
      const ownerUserId = input.scope === 'account' ? null : session.userId;
      const id = newQuickReplyId();
      return db.transaction(async (tx) => {
        if ((await store.count(tx, session.accountId, ownerUserId)) >= QUICK_REPLY_LIMIT)
          throw new AppError('too_many_quick_replies', `At most ${QUICK_REPLY_LIMIT} quick replies fit here; delete one first.`, 409, [], {
            limit: QUICK_REPLY_LIMIT,
          });
        const inserted = await store.insert(tx, {
          id,
          accountId: session.accountId,
          ownerUserId,
          shortcut: input.shortcut,
          text: input.text,
          createdBy: session.userId,
          at: clock.now(),
        });
        if (!inserted) throw taken(input.shortcut);
        return store.view(tx, session.accountId, id, viewerOf(session));
      });
    },

    async change(session: Session, quickReplyId: string, input: Input) {
      const reply = await editable(session, quickReplyId);
      // A reply keeps its scope: moving one between the account and a person is a delete and a new one.
      if ((reply.ownerUserId === null) !== (input.scope === 'account'))
        throw new AppError('invalid_request', 'A quick reply keeps its scope; make a new one instead.', 400, [
          { path: 'body.scope', message: 'cannot change' },
        ]);
      if (!(await store.update(db, session.accountId, quickReplyId, input, clock.now()))) throw taken(input.shortcut);
      return store.view(db, session.accountId, quickReplyId, viewerOf(session));
    },

    async remove(session: Session, quickReplyId: string) {
      await editable(session, quickReplyId);
      await store.remove(db, session.accountId, quickReplyId);
    },

    async fill(session: Session, quickReplyId: string, input: FillInput) {
      const reply = await store.visible(db, session.accountId, quickReplyId, session.userId);
      if (!reply) throw notFound(NOT_FOUND);
      const used = placeholdersOf(reply.text);
      const crm: CrmValues = { contact: null, lead: null };
      // Kommo is asked only for what the text uses, and only with this account's token: a contact or
      // lead id of another account finds nothing.
      const contactId = input.contactId;
      const needsContact = used.some((p) => p.startsWith('contact.'));
      const needsLead = input.leadId !== null && used.some((p) => p.startsWith('lead.'));
      if (contactId !== null && (needsContact || needsLead)) {
        const { host, accessToken } = await deps.access.accessToken(session.accountId);
        const [contacts, leads] = await Promise.all([
          deps.kommoPacer.run(session.accountId, () => deps.kommo.getContacts(host, accessToken, [contactId])),
          needsLead ? deps.kommoPacer.run(session.accountId, () => deps.kommo.getLeads(host, accessToken, [input.leadId!])) : [],
        ]);
        const [contact] = contacts;
        const [lead] = leads;
        // Only the customer of a chat the user may open (the chat list's rule: a customer's chat is
        // reached through their phone) and a lead of theirs: not any contact or lead of the account,
        // which Kommo's rights may hide from this user (SPEC §9, decision 035).
        if (contact && (await customerOfAChat(session.accountId, contact))) {
          crm.contact = needsContact ? { name: contact.name, firstName: contact.firstName, lastName: contact.lastName, fields: contact.fields } : null;
          crm.lead = lead && lead.contactIds.includes(contact.id) ? { name: lead.name, price: lead.price, fields: lead.fields } : null;
        }
      }
      return fillQuickReply(reply.text, crm);
    },
  };
}
export type QuickReplies = ReturnType<typeof createQuickReplies>;
