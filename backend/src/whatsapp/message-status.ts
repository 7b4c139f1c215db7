/** Statuses only move forward (sent < delivered < read); `failed` is final and wins (reference §3). */
const RANK: Record<string, number> = { queued: 0, sent: 1, delivered: 2, read: 3 };

export function shouldApply(current: string, incoming: string): boolean {
  if (current === 'failed') return false;
  if (incoming === 'failed') return true;
  const next = RANK[incoming];
  return next !== undefined && next > (RANK[current] ?? -1);
}

/** The SQL form of `shouldApply` (`incoming` and `current` are SQL expressions), for an `update … where` that is safe under concurrency. */
export function statusAdvances(incoming: string, current: string): string {
  const rank = (x: string) => `(case ${x} when 'queued' then 0 when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 else -1 end)`;
  return `(${current} <> 'failed' and (${incoming} = 'failed' or ${rank(incoming)} > ${rank(current)}))`;
}

/** The payload of the unsubscribe quick-reply button every broadcast message carries (SPEC §6). */
export const UNSUBSCRIBE_PAYLOAD = 'WABRIDGE_UNSUBSCRIBE';

/**
 * The words that, written alone, opt a customer out (SPEC §5), in our locales. A template's opt-out
 * line must name one of them (broadcasts/opt-out-phrases.ts), so the answer it asks for works.
 */
export const STOP_WORDS = ['stop', 'unsubscribe', 'parar', 'pare', 'cancelar', 'baja', 'alto', 'sair', 'стоп', 'отписаться'] as const;

/** An inbound text (or button payload) that asks to stop: the whole message is one of the words. */
export function isStopWord(text: string): boolean {
  return text === UNSUBSCRIBE_PAYLOAD || new RegExp(`^\\s*(${STOP_WORDS.join('|')})\\s*[.!]*\\s*$`, 'iu').test(text);
}
