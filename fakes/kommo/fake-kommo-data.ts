export interface FakeKommoAccount {
  id: number;
  name: string;
  subdomain: string;
  country: string;
  currency: string;
  language: string;
  timezone: string;
  installed: boolean;
  /** `login` is the email the user signs in to Kommo with (`email` in /api/v4/users). */
  users: { id: number; name: string; isAdmin: boolean; login?: string }[];
  contacts: { id: number; name: string; phones: string[]; fields?: { id: number; name: string; value: string }[] }[];
  leads: {
    id: number;
    name: string;
    price: number;
    contactIds: number[];
    responsibleUserId?: number;
    statusId?: number;
    pipelineId?: number;
    fields?: { id: number; name: string; value: string }[];
  }[];
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
      { id: DEMO_ADMIN_ID, name: 'Dana Admin', isAdmin: true, login: 'dana.admin@wabridge-demo.example' },
      { id: DEMO_AGENT_ID, name: 'Alex Agent', isAdmin: false, login: 'alex.agent@wabridge-demo.example' },
    ],
    contacts: [
      { id: 2_001, name: 'Maria Silva', phones: ['+55 11 91234-5678'] },
      { id: 2_002, name: 'João Pereira', phones: ['(21) 98765-4321'], fields: [{ id: 700_001, name: 'City', value: 'Rio de Janeiro' }] },
      { id: 2_003, name: 'Ana Costa', phones: ['+55 31 99876-5432'], fields: [{ id: 700_001, name: 'City', value: 'Belo Horizonte' }] },
      // Also on Ana's lead, with her phone again: a broadcast merges it.
      { id: 2_004, name: 'Lucas Costa', phones: ['+55 31 99876-5432', '123'] },
    ],
    leads: [
      { id: DEMO_LEAD_ID, name: 'Website order #1001', price: 1200, contactIds: [2_001] },
      { id: 1_002, name: 'Repeat order #1002', price: 800, contactIds: [2_002] },
      { id: 1_003, name: 'Family plan #1003', price: 2400, contactIds: [2_003, 2_004] },
    ],
    ...overrides,
  };
}
