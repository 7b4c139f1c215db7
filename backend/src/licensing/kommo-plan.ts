/**
 * Kommo does not document its plan names in any API (reference/kommo-platform.md §7); the loader
 * reports the host's `tariffName`. This maps what we have seen and what Kommo and amoCRM publish to
 * one of our tiers. Anything else is treated as an archived plan (SPEC §3, §4.5).
 */
export type KommoTier = 'base' | 'advanced' | 'pro' | 'enterprise' | 'trial' | 'startup' | 'micro_business' | 'archived';

const NAMES: Record<string, KommoTier> = {
  base: 'base',
  basic: 'base',
  базовый: 'base',
  advanced: 'advanced',
  extended: 'advanced',
  расширенный: 'advanced',
  pro: 'pro',
  professional: 'pro',
  профессиональный: 'pro',
  enterprise: 'enterprise',
  trial: 'trial',
  kommotrial: 'trial',
  freetrial: 'trial',
  пробный: 'trial',
  startup: 'startup',
  microbusiness: 'micro_business',
};

export function normaliseKommoPlan(raw: string | null | undefined): KommoTier {
  if (!raw) return 'archived';
  const key = raw
    .trim()
    .toLowerCase()
    .replace(/[\s_\-.]+/g, '');
  return NAMES[key] ?? 'archived';
}

/** Advanced or higher, and Kommo's trial (it runs Enterprise features), get every capability. */
export function isFullKommoPlan(tier: KommoTier): boolean {
  return tier === 'advanced' || tier === 'pro' || tier === 'enterprise' || tier === 'trial';
}

export const KOMMO_TIER_LABELS: Record<KommoTier, string> = {
  base: 'Base',
  advanced: 'Advanced',
  pro: 'Pro',
  enterprise: 'Enterprise',
  trial: 'Kommo trial',
  startup: 'Start-Up',
  micro_business: 'Micro-business',
  archived: 'an archived or unknown plan',
};
