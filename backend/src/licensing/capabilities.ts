import type { ErrorCode } from '../../../contract/error-codes';
import { isFullKommoPlan, KOMMO_TIER_LABELS, normaliseKommoPlan } from './kommo-plan';
import type { LicenceState } from './licence-state';

/** What the widget can do (SPEC §4.5); `outbound` is any message we send. */
export const CAPABILITIES = ['chat', 'outbound', 'broadcasts', 'automation', 'auto_create', 'api_keys'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** Capabilities that need Kommo Advanced or higher. */
const NEEDS_FULL_KOMMO_PLAN: ReadonlySet<Capability> = new Set(['broadcasts', 'automation', 'auto_create', 'api_keys']);
/** Capabilities that need a licence in force (demo or paid). Reading chats and receiving never stop. */
const NEEDS_LICENCE: ReadonlySet<Capability> = new Set(['outbound', 'broadcasts', 'automation', 'auto_create', 'api_keys']);

export type Decision =
  | { allowed: true }
  | {
      allowed: false;
      code: Extract<ErrorCode, 'consent_withdrawn' | 'account_uninstalled' | 'licence_expired' | 'kommo_plan_required'>;
      message: string;
      action: 'renew' | 'upgrade_kommo' | 'reinstall' | 'none';
    };

export interface EntitlementFacts {
  state: LicenceState;
  kommoPlan: string | null;
  /** When the last period ended, for the message. */
  endedAt?: Date;
}

/** The one answer to "may this account use this capability now, and if not, why". */
export function decide(facts: EntitlementFacts, capability: Capability): Decision {
  if (facts.state === 'consent_withdrawn') {
    return {
      allowed: false,
      code: 'consent_withdrawn',
      message: 'Consent to data processing was withdrawn for this account, so Wabridge no longer works here.',
      action: 'none',
    };
  }
  if (facts.state === 'uninstalled') {
    return { allowed: false, code: 'account_uninstalled', message: 'Wabridge is not installed in this Kommo account.', action: 'reinstall' };
  }
  if (NEEDS_LICENCE.has(capability) && (facts.state === 'expired' || facts.state === 'none')) {
    const ended = facts.endedAt ? ` on ${facts.endedAt.toISOString().slice(0, 10)}` : '';
    return {
      allowed: false,
      code: 'licence_expired',
      message: `The Wabridge licence of this account ended${ended}. Messages still arrive and history stays readable; renew to send again.`,
      action: 'renew',
    };
  }
  if (NEEDS_FULL_KOMMO_PLAN.has(capability)) {
    const tier = normaliseKommoPlan(facts.kommoPlan);
    if (!isFullKommoPlan(tier)) {
      return {
        allowed: false,
        code: 'kommo_plan_required',
        message: `This needs Kommo Advanced or higher; this account is on ${KOMMO_TIER_LABELS[tier]}. Upgrade the Kommo plan to use it.`,
        action: 'upgrade_kommo',
      };
    }
  }
  return { allowed: true };
}
