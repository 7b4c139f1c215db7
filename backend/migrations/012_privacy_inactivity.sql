-- The installing admin (SPEC §4.6), the account's last use for the inactivity rule (SPEC §4.2),
-- the buyer kept on orders once the registration is erased (SPEC §9), and an age for processed
-- webhook bodies so they can be let go.

alter table accounts add column installed_by_login text;

-- Any use (a sign-in, a message in or out, a payment) moves this forward; at most once an hour, so
-- a busy account does not write its row on every message.
alter table accounts add column last_used_at timestamptz;
-- When the account was last suspended for inactivity (its numbers disconnected); null once used again.
alter table accounts add column suspended_at timestamptz;
update accounts a set last_used_at = greatest(a.installed_at, (select max(u.last_seen_at) from account_users u where u.account_id = a.id));

-- Messages are written by the relay, the inbox, the broadcast engine and the public API; payments by
-- the card webhook and the operator: one trigger each sees every one of them.
create function touch_account_on_message() returns trigger language plpgsql as $$
begin
  update accounts set last_used_at = new.created_at
   where id = new.account_id and (last_used_at is null or last_used_at < new.created_at - interval '1 hour');
  return null;
end $$;
create trigger messages_touch_account after insert on messages for each row execute function touch_account_on_message();

create function touch_account_on_payment() returns trigger language plpgsql as $$
begin
  update accounts a set last_used_at = new.recorded_at
    from orders o
   where o.id = new.order_id and a.id = o.account_id and (a.last_used_at is null or a.last_used_at < new.recorded_at - interval '1 hour');
  return null;
end $$;
create trigger payments_touch_account after insert on payments for each row execute function touch_account_on_payment();

-- The buyer's legal details as the invoice showed them, frozen when the registration is erased.
alter table orders add column buyer jsonb;

-- Processed webhook bodies are deleted after a week (they hold customers' phones and messages).
create index whatsapp_inbox_processed on whatsapp_inbox (processed_at) where processed_at is not null;
