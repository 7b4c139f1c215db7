export interface FakeKommoAccount {
  id: number;
  name: string;
  subdomain: string;
  country: string;
  currency: string;
  language: string;
  timezone: string;
  installed: boolean;
  users: { id: number; name: string; isAdmin: boolean }[];
  contacts: { id: number; name: string; phones: string[] }[];
  leads: { id: number; name: string; price: number; contactIds: number[] }[];
}

export const DEMO_ACCOUNT_ID = 31_000_001;
export const DEMO_ADMIN_ID = 8_100_001;
export const DEMO_AGENT_ID = 8_100_002;
export const DEMO_LEAD_ID = 1_001;

/** The account the demo and most tests use: an admin, an agent, one lead with one contact. */
export function demoKommoAccount(overrides: Partial<FakeKommoAccount> = {}): FakeKommoAccount {
  return {
    id: DEMO_ACCOUNT_ID,
    name: 'Wabridge Demo Company',
    subdomain: 'wabridge-demo',
    country: 'BR',
    currency: 'USD',
    language: 'en',
    timezone: 'America/Sao_Paulo',
    installed: false,
    users: [
      { id: DEMO_ADMIN_ID, name: 'Dana Admin', isAdmin: true },
      { id: DEMO_AGENT_ID, name: 'Alex Agent', isAdmin: false },
    ],
    contacts: [{ id: 2_001, name: 'Maria Silva', phones: ['+55 11 91234-5678'] }],
    leads: [{ id: DEMO_LEAD_ID, name: 'Website order #1001', price: 1200, contactIds: [2_001] }],
    ...overrides,
  };
}
