/** Statuses only move forward (sent < delivered < read); `failed` is final and wins (reference §3). */
const RANK: Record<string, number> = { queued: 0, sent: 1, delivered: 2, read: 3 };

export function shouldApply(current: string, incoming: string): boolean {
  if (current === 'failed') return false;
  if (incoming === 'failed') return true;
  const next = RANK[incoming];
  return next !== undefined && next > (RANK[current] ?? -1);
}

/** The SQL form of `shouldApply`, for an `update … where` that is safe under concurrency. */
export const STATUS_ADVANCES = `(status <> 'failed' and ($2 = 'failed' or
  (case $2 when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 else -1 end) >
  (case status when 'queued' then 0 when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 else -1 end)))`;

/** An inbound text that asks to stop, in our locales (SPEC §5). */
export function isStopWord(text: string): boolean {
  return /^\s*(stop|unsubscribe|parar|pare|cancelar|baja|alto|стоп|отписаться)\s*[.!]*\s*$/i.test(text);
}
