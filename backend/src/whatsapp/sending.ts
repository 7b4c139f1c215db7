import type { Logger } from 'pino';
import type { SendMessageInput } from '../../../contract/whatsapp';
import type { MediaKind } from '../../../contract/media-rules';
import type { Clock } from '../clock';
import { AppError, notFound } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { LicenceService } from '../licensing/licence-service';
import { enqueueEvent } from '../kommo/timeline-store';
import { publish } from '../live/live-events';
import type { Db } from '../store/db';
import { isCloudApiError, type CloudApi, type CloudApiError, type OutboundMessage } from './cloud-api';
import type { ConversationReads } from './conversation-reads';
import type { InboxProcessor } from './inbox-processor';
import { messageView, type MessageView } from './message-views';
import type { NumberRow, NumbersService } from './numbers-service';
import { createPacer, type Pacer } from './pacer';
import { needsCountry, requirePhone } from './phone';
import { refusesOptedOut, sendRefusal } from './send-rules';
import { optedOutError } from './conversations';
import { insertQueued, readSendFacts, recordAccepted, recordRefused, type SendFacts } from './send-store';

const MAX_ATTEMPTS = 4;

/** What an agent, the public API or an automation sends. */
export type SendInput =
  | (SendMessageInput & { bodyParameters?: string[] })
  | { type: MediaKind; file: { content: Blob; size: number; mimeType: string; filename: string }; caption?: string }
  | { type: MediaKind; link: string; caption?: string; filename?: string };

/** To a conversation (the chat, an automation), or to a customer's phone on a number (the public API: opened if new). */
export type SendTo = { conversationId: string } | { numberId: string; phone: string };

/**
 * Sending under the relay rules (SPEC §5–§7, docs/decisions/010 and 025). Before Meta's call: one
 * read of every fact the rules need, the rules (pure, `send-rules.ts`) and the licence's decision,
 * then one statement that takes the allowance and stores the message as queued. Meta's call goes
 * through the pacers; after it, one statement records the wamid. A refusal by Meta fails the message
 * and gives the allowance back.
 */
export function createSender(deps: {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  cloud: CloudApi;
  numbers: NumbersService;
  licences: LicenceService;
  inbox: InboxProcessor;
  reads: ConversationReads;
  pacer: Pacer;
  /** Backoff between retries; tests pass one that does not wait. */
  sleep: (ms: number) => Promise<void>;
  /** Called after a message joined the Kommo timeline queue. */
  onNoteQueued?: () => void;
}) {
  const { db, clock } = deps;
  const pairPacer = createPacer(7);

  /** Sends with pacing, retrying only what the Cloud API says may be retried, with growing pauses. */
  async function deliver(phoneNumberId: string, token: string, message: OutboundMessage) {
    for (let attempt = 0; ; attempt++) {
      try {
        // Under the pair rate (45 in 6 s to one customer), then under the number's throughput.
        return await pairPacer.run(`${phoneNumberId}:${message.to}`, () =>
          deps.pacer.run(phoneNumberId, () => deps.cloud.send(phoneNumberId, token, message), { urgent: true }),
        );
      } catch (err) {
        const retry = isCloudApiError(err) && (err.errorClass === 'retryable' || err.errorClass === 'rate_limit') && attempt + 1 < MAX_ATTEMPTS;
        if (!retry) throw err;
        // Meta's advice for the pair rate: wait 4^x seconds; a quarter of that for the others.
        await deps.sleep((err.code === 131056 ? 1000 : 250) * 4 ** attempt);
      }
    }
  }

  /** The wire message and what is stored of it. */
  function compose(
    waId: string,
    input: SendInput,
    replyWamid: string | null,
    media?: { id: string; size: number; mimeType: string },
  ): { message: OutboundMessage; content: Record<string, unknown> } {
    const to = `+${waId}`;
    if ('file' in input) {
      const caption = input.caption && input.type !== 'audio' ? { caption: input.caption } : {};
      return {
        message: { to, type: input.type, media: { id: media!.id, ...caption, ...(input.type === 'document' ? { filename: input.file.filename } : {}) } },
        content: { mediaId: media!.id, mimeType: media!.mimeType, size: media!.size, filename: input.file.filename, ...caption },
      };
    }
    if ('link' in input) {
      // A file at a public link (the public API): WhatsApp fetches it; nothing is uploaded by us.
      const caption = input.caption && input.type !== 'audio' ? { caption: input.caption } : {};
      const filename = input.type === 'document' && input.filename ? { filename: input.filename } : {};
      return {
        message: { to, type: input.type, media: { link: input.link, ...caption, ...filename } },
        content: { link: input.link, ...caption, ...filename },
      };
    }
    if (input.type === 'text') {
      return {
        message: { to, type: 'text', text: { body: input.text }, ...(replyWamid ? { context: { message_id: replyWamid } } : {}) },
        content: { body: input.text },
      };
    }
    return {
      message: {
        to,
        type: 'template',
        template: {
          name: input.name,
          language: { code: input.language },
          components: input.bodyParameters?.length ? [{ type: 'body', parameters: input.bodyParameters.map((text) => ({ type: 'text', text })) }] : [],
        },
      },
      content: { name: input.name, language: input.language, parameters: input.bodyParameters ?? [] },
    };
  }

  async function uploaded(number: NumberRow, file: { content: Blob; size: number; mimeType: string; filename: string }) {
    const result = await deps.cloud.uploadMedia(number.phone_number_id, deps.numbers.token(number), file).catch((err) => {
      if (isCloudApiError(err)) throw new AppError('media_upload_failed', `WhatsApp did not take the file: ${err.title} (code ${err.code}).`, 502);
      throw err;
    });
    return { id: result.id, size: file.size, mimeType: file.mimeType };
  }

  /** A message WhatsApp never accepted: failed, with the reason, and not counted against the allowance. */
  async function failed(id: string, accountId: string, err: CloudApiError) {
    await db.transaction(async (tx) => {
      const conversationId = (await recordRefused(tx, { id, code: err.code, title: err.title, at: clock.now() }))!;
      await enqueueEvent(tx, {
        id: deps.ids(),
        accountId,
        conversationId,
        text: `WhatsApp refused a message — ${err.details ? `${err.title}: ${err.details}` : err.title} (code ${err.code}).`,
        at: clock.now(),
      });
      await publish(tx, { accountId, type: 'message.status', conversationId, messageId: id }, { clock, ids: deps.ids });
    });
    await deps.licences.returnOutbound(accountId);
    deps.logger.info({ messageId: id, code: err.code }, 'message refused by the Cloud API');
  }

  return {
    /** Sends and answers with the message as stored (status `queued` until Meta's statuses come). */
    async send(
      accountId: string,
      /** The agent who sends (the key's creator for the public API); null when an automation does. */
      userId: number | null,
      to: SendTo,
      input: SendInput,
      /** Automated template sends (the public API, the digital pipeline) refuse a customer who opted out (SPEC §6); an agent's do not. */
      /** `messageId` fixes the stored message's id in advance (an answer from Kommo's chat, recognised after a crash). */
      options: { refuseOptedOut?: boolean; messageId?: string } = {},
    ): Promise<MessageView> {
      const byConversation = 'conversationId' in to;
      // A phone written without its country code is read in the account's country: only then is the country read first.
      const waId = byConversation ? null : requirePhone(to.phone, needsCountry(to.phone) ? await deps.reads.accountCountry(accountId) : null);
      const text = !('file' in input) && !('link' in input) && input.type === 'text' ? input : undefined;
      const template = !('file' in input) && !('link' in input) && input.type === 'template' ? input : undefined;
      const facts: SendFacts | undefined = await readSendFacts(db, {
        accountId,
        conversationId: byConversation ? to.conversationId : null,
        numberId: byConversation ? null : to.numberId,
        waId,
        template: template ? { name: template.name, language: template.language } : null,
        seenUpTo: text?.seenUpTo && !text.confirmed ? { messageId: text.seenUpTo, userId } : null,
        replyTo: text?.replyTo ?? null,
      });
      if (!facts) throw notFound('No such account.');
      const refusal = sendRefusal(
        facts,
        'file' in input ? { type: input.type, file: input.file } : input,
        { byConversation, refuseOptedOut: options.refuseOptedOut },
        clock.now(),
      );
      if (refusal) throw refusal;
      // The licence decides on the same read: the account may send (SPEC §4), then the allowance is taken with the message.
      const licence = deps.licences.snapshotOf(facts.account, facts.periods);
      const decision = deps.licences.decisionFor(licence, 'outbound');
      if (!decision.allowed) deps.licences.refuse(decision);
      const number = facts.number!;
      const customer = facts.conversation?.wa_id ?? waId!;
      const media = 'file' in input ? await uploaded(number, input.file) : undefined;
      const { message, content } = compose(customer, input, facts.replyWamid, media);

      const id = options.messageId ?? deps.ids();
      // The allowance is taken with the message, in one statement: two agents can never both send the last message.
      const queued = await insertQueued(db, {
        id,
        accountId,
        conversationId: facts.conversation?.id ?? null,
        newConversationId: deps.ids(),
        numberId: number.id,
        waId: customer,
        type: input.type,
        content,
        sentBy: userId,
        replyTo: facts.replyWamid,
        at: clock.now(),
        // The customer may opt out between the read and this write: the write reads it again (SPEC §6).
        refuseOptedOut: refusesOptedOut(input, options),
      });
      if (queued === 'opted_out') throw optedOutError();
      if (!queued) throw await deps.licences.exhausted(accountId);
      try {
        const result = await deliver(number.phone_number_id, deps.numbers.token(number), message);
        const accepted = await recordAccepted(db, { id, wamid: result.wamid, accountId, conversationId: queued.conversationId, at: clock.now() });
        deps.onNoteQueued?.();
        if (accepted && !accepted.early) return messageView(accepted.message);
        // A status came before our call answered: applied now (rare; the send costs more then).
        if (accepted) await db.transaction((tx) => deps.inbox.applyEarlyStatuses(tx, result.wamid));
        return deps.reads.message(accountId, id);
      } catch (err) {
        if (!isCloudApiError(err)) throw err;
        await failed(id, accountId, err);
        if (err.errorClass === 'window_closed')
          throw new AppError('window_closed', 'WhatsApp refused the message: the 24-hour window is closed. Use an approved template.', 409);
        if (err.errorClass === 'auth')
          throw new AppError('number_token_invalid', 'Meta refused this number’s access token. An admin must reconnect the number.', 502);
        throw new AppError('send_failed', `WhatsApp refused the message: ${err.title} (code ${err.code}).`, 502);
      }
    },
  };
}
export type Sender = ReturnType<typeof createSender>;
