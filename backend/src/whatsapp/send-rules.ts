import { mediaProblem, type MediaKind } from '../../../contract/media-rules';
import { AppError, badRequest, notFound } from '../http/app-error';
import { optedOutError } from './conversations';
import { windowClosesAt } from './message-views';
import type { SendFacts } from './send-store';
import { templateProblem } from './templates-service';

/** What is sent, as far as the rules care. */
export type Outgoing =
  | { type: 'text'; replyTo?: string; seenUpTo?: string; confirmed?: boolean }
  | { type: 'template'; name: string; language: string; bodyParameters?: string[] }
  | { type: MediaKind; file: { size: number; mimeType: string } }
  | { type: MediaKind; link: string };

/**
 * Why this send may not go (SPEC §5, §6), from what `readSendFacts` read, in the order an agent
 * should hear it; undefined when it may. The number and the conversation must be the account's; free
 * form only inside the customer's 24-hour window; an automated template (the public API, the digital
 * pipeline) not to a customer who opted out; a template only as Meta would take it; an agent confirms
 * before sending over someone else's newer reply; a reply only to a message of the conversation; a
 * file only of its kind's type and size. The licence and the allowance come after (`licences`).
 */
export function sendRefusal(facts: SendFacts, out: Outgoing, options: { byConversation: boolean; refuseOptedOut?: boolean }, now: Date): AppError | undefined {
  if (options.byConversation && !facts.conversation) return notFound('No such conversation in this account.');
  if (!facts.number) return notFound('No such WhatsApp number in this account.');
  const windowOpen = facts.conversation ? windowClosesAt(facts.conversation, now) !== null : false;
  if (out.type !== 'template' && !windowOpen) {
    return new AppError(
      'window_closed',
      'The 24-hour customer-service window is closed: only an approved template can be sent until the customer writes again.',
      409,
    );
  }
  if (refusesOptedOut(out, options) && facts.optedOut) return optedOutError();
  if (out.type === 'template') {
    const problem = templateProblem(facts.template, out.name, out.language, out.bodyParameters?.length ?? 0);
    if (problem) return problem;
  }
  if (out.type === 'text' && out.seenUpTo && !out.confirmed && facts.repliedSince) {
    // Someone else answered since this agent started typing: they confirm before sending.
    return new AppError('someone_replied', `${facts.repliedSince.name ?? 'Another agent'} replied since you started typing. Send anyway?`, 409);
  }
  if (out.type === 'text' && out.replyTo && !facts.replyWamid) return badRequest('unknown_reply', 'The message to reply to is not in this conversation.');
  if ('file' in out) {
    const problem = mediaProblem(out.type, out.file.mimeType, out.file.size);
    if (problem) return new AppError(problem.code, problem.message, problem.code === 'media_too_large' ? 413 : 415);
  }
  return undefined;
}

/** Whether this send refuses a customer who opted out: an automated template (the public API, the digital pipeline, Salesbot); never an agent's send, never free form. */
export function refusesOptedOut(out: { type: string }, options: { refuseOptedOut?: boolean }): boolean {
  return out.type === 'template' && options.refuseOptedOut === true;
}
