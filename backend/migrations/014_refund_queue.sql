-- Refunds (SPEC §4.3): one per request, whatever the number of requests at the same moment;
-- card refunds are recorded before the provider is asked (pending → succeeded), bank refunds wait
-- in the operator's queue until marked sent with a reference (to_send → sent).

-- What asked for the refund: 'delay_refund', 'overpaid_over_10_percent', 'claim:<id>',
-- 'operator:<id>', 'provider:<refund id>'. A payment is refunded at most once per request.
alter table refunds add column request text;
update refunds set request = 'legacy:' || id;
alter table refunds alter column request set not null;
create unique index refunds_once_per_request on refunds (payment_id, request);

alter table refunds drop constraint refunds_status_check;
alter table refunds add constraint refunds_status_check check (status in ('pending', 'succeeded', 'to_send', 'sent'));
-- A card refund's last attempt at the provider (a lease, so two senders never ask at once).
alter table refunds add column attempted_at timestamptz;
-- A bank refund: when the operator sent it, and the reference of that transfer.
alter table refunds add column sent_at timestamptz;
alter table refunds add column reference text;
create index refunds_open on refunds (created_at) where status in ('pending', 'to_send');
