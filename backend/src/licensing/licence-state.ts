/**
 * The licence of one Kommo account as a small state machine. The state is derived from the
 * account and its periods at a moment in time; the events that change it, and the states each is
 * allowed in, are listed here and nowhere else.
 *
 *   install (first)        → demo            (7 days, once per Kommo account)
 *   install (again)        → whatever the periods say (no new demo)
 *   grant period (payment) demo | active | expired → active (a renewal queues after the running period)
 *   apply upgrade          active (paid)    → active (new plan at once, irreversible)
 *   time passes            demo | active    → expired (the last period ended)
 *   outage credit          any with a period during the outage → periods extended
 *   uninstall              any              → uninstalled
 *   withdraw consent       any              → consent_withdrawn (final)
 */
export type LicenceState = 'none' | 'demo' | 'active' | 'expired' | 'uninstalled' | 'consent_withdrawn';

export type LicenceEvent = 'grant_period' | 'apply_upgrade' | 'withdraw_consent' | 'order';

const ALLOWED: Record<LicenceEvent, LicenceState[]> = {
  grant_period: ['none', 'demo', 'active', 'expired'],
  apply_upgrade: ['active'],
  withdraw_consent: ['none', 'demo', 'active', 'expired'],
  order: ['none', 'demo', 'active', 'expired'],
};

export interface PeriodRow {
  id: string;
  plan: 'demo' | 'user' | 'pro' | 'vip';
  starts_at: Date;
  ends_at: Date;
  allowance_starts_at: Date;
  message_limit: number;
  number_limit: number;
  messages_used: number;
}

export interface AccountFacts {
  status: 'active' | 'uninstalled';
  consent_withdrawn_at: Date | null;
}

/** The period in force at `now`, if any. */
export function currentPeriod(periods: PeriodRow[], now: Date): PeriodRow | undefined {
  return periods.find((p) => new Date(p.starts_at) <= now && now < new Date(p.ends_at));
}

export function licenceState(account: AccountFacts, periods: PeriodRow[], now: Date): LicenceState {
  if (account.consent_withdrawn_at) return 'consent_withdrawn';
  if (account.status === 'uninstalled') return 'uninstalled';
  const current = currentPeriod(periods, now);
  if (current) return current.plan === 'demo' ? 'demo' : 'active';
  return periods.length ? 'expired' : 'none';
}

export function canApply(event: LicenceEvent, state: LicenceState): boolean {
  return ALLOWED[event].includes(state);
}
