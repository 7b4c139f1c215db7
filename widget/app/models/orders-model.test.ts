import { describe, expect, it } from 'vitest';
import { paidOrder } from '../../test/api-mock';
import { draftForAction, plansFor, startingDraft } from './orders-model';

const draft = { action: 'buy' as const, plan: 'user' as const, currency: 'USD' as const, method: 'card' as const };

describe('the buy panel’s draft', () => {
  it('when an order waits for money, then the draft is that order’s own terms, whatever the plan in force', () => {
    const open = {
      ...paidOrder,
      kind: 'renewal' as const,
      plan: 'vip' as const,
      currency: 'EUR' as const,
      method: 'invoice' as const,
      status: 'awaiting_payment' as const,
    };
    expect(startingDraft(open, 'pro', draft)).toEqual({ action: 'renew', plan: 'vip', currency: 'EUR', method: 'invoice' });
  });

  it('when no order is open and Pro is the paid plan in force, then the draft renews Pro in the currency and method already chosen', () => {
    expect(startingDraft(null, 'pro', { ...draft, currency: 'EUR', method: 'invoice' })).toEqual({
      action: 'renew',
      plan: 'pro',
      currency: 'EUR',
      method: 'invoice',
    });
  });

  it('when no paid plan is in force (demo or none), then the draft buys', () => {
    expect(startingDraft(null, 'demo', draft).action).toBe('buy');
    expect(startingDraft(null, null, draft).action).toBe('buy');
  });

  it('when the admin picks Upgrade, then the plan is the next dearer one (VIP stays VIP); Renew goes back to the plan in force', () => {
    expect(draftForAction({ ...draft, action: 'renew', plan: 'user' }, 'upgrade', 'user').plan).toBe('pro');
    expect(draftForAction({ ...draft, action: 'renew', plan: 'pro' }, 'upgrade', 'pro').plan).toBe('vip');
    expect(draftForAction({ ...draft, action: 'renew', plan: 'vip' }, 'upgrade', 'vip').plan).toBe('vip');
    expect(draftForAction({ ...draft, action: 'upgrade', plan: 'vip' }, 'renew', 'pro').plan).toBe('pro');
  });

  it('when the admin upgrades from Pro, then only VIP is offered; a renewal may be of any plan (a cheaper one starts at the renewal)', () => {
    expect(plansFor('upgrade', 'pro')).toEqual(['vip']);
    expect(plansFor('upgrade', 'user')).toEqual(['pro', 'vip']);
    expect(plansFor('renew', 'pro')).toEqual(['user', 'pro', 'vip']);
    expect(plansFor('buy', null)).toEqual(['user', 'pro', 'vip']);
  });
});
