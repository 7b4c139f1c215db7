-- Money that meets a closed order (SPEC §4.3): an order remembers when and why it was closed, so the
-- admin sees why; a payment that arrives after it closed is marked and never counts toward it (a card
-- payment goes back to the card, a bank transfer becomes credit).

alter table orders add column closed_at timestamptz;
-- unpaid: not paid in time; replaced: the admin ordered something else; overpaid_over_10_percent: more than 10 % over
-- the price arrived; checkout_unavailable: the card page could not be opened.
alter table orders add column close_reason text check (close_reason in ('unpaid', 'replaced', 'overpaid_over_10_percent', 'checkout_unavailable'));
-- Until now an order was cancelled only when too much arrived (it has a payment date) or the card page failed.
update orders set closed_at = updated_at,
  close_reason = case when status = 'expired' then 'unpaid' when paid_at is not null then 'overpaid_over_10_percent' else 'checkout_unavailable' end
where status in ('expired', 'cancelled');

alter table payments add column after_close boolean not null default false;

alter table refunds drop constraint refunds_reason_check;
alter table refunds add constraint refunds_reason_check check (reason in ('overpaid_over_10_percent', 'delay_refund', 'claim_upheld', 'operator', 'order_closed'));

-- The open order of an account (at most one: placing an order locks the account row first).
create index orders_open_by_account on orders (account_id) where status in ('awaiting_payment', 'partially_paid');
