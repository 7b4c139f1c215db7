-- Orders, the payments and refunds recorded against them, the card provider's event inbox,
-- credit from overpayments, and licence claims (SPEC §4.3, §4.4).

create sequence order_numbers start 1001;

create table orders (
  id text primary key,
  number text not null unique,
  account_id text not null references accounts (id) on delete cascade,
  kind text not null check (kind in ('new', 'renewal', 'upgrade')),
  plan text not null check (plan in ('user', 'pro', 'vip')),
  currency text not null check (currency in ('USD', 'EUR')),
  method text not null check (method in ('card', 'invoice')),
  -- What the plan costs, the credit applied, and what is due: all in minor units, priced here.
  price integer not null check (price >= 0),
  credit_applied integer not null default 0 check (credit_applied >= 0),
  amount_due integer not null check (amount_due >= 0),
  status text not null check (status in ('awaiting_payment', 'partially_paid', 'paid', 'active', 'cancelled', 'expired', 'refunded', 'partially_refunded')),
  created_by bigint not null,
  created_at timestamptz not null,
  -- Card orders expire 3 days after creation, invoices at their due date.
  expires_at timestamptz not null,
  checkout_session_id text unique,
  checkout_url text,
  paid_at timestamptz,
  activated_at timestamptz,
  period_id text,
  terminated_at timestamptz,
  activation_error text,
  updated_at timestamptz not null
);
create index orders_account on orders (account_id, created_at);
create index orders_open on orders (expires_at) where status in ('awaiting_payment', 'partially_paid');

create table payments (
  id text primary key,
  order_id text not null references orders (id) on delete cascade,
  provider text not null check (provider in ('stripe', 'bank', 'credit')),
  -- The provider's id for the money (Stripe PaymentIntent, bank reference): one payment each.
  provider_ref text not null,
  amount integer not null check (amount >= 0),
  currency text not null,
  received_at timestamptz not null,
  recorded_at timestamptz not null,
  unique (provider, provider_ref)
);

create table refunds (
  id text primary key,
  order_id text not null references orders (id) on delete cascade,
  payment_id text not null references payments (id) on delete cascade,
  amount integer not null check (amount > 0),
  currency text not null,
  reason text not null check (reason in ('overpaid_over_10_percent', 'delay_refund', 'claim_upheld', 'operator')),
  provider_ref text unique,
  status text not null check (status in ('succeeded', 'to_send')),
  created_at timestamptz not null
);

-- Every verified event from the card provider, stored before it is acknowledged.
create table payment_events (
  id text primary key,
  type text not null,
  payload jsonb not null,
  received_at timestamptz not null,
  processed_at timestamptz,
  error text
);
create index payment_events_unprocessed on payment_events (received_at) where processed_at is null;

create table credit_entries (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  currency text not null,
  amount integer not null,
  order_id text references orders (id) on delete set null,
  reason text not null,
  created_at timestamptz not null
);
create index credit_entries_account on credit_entries (account_id, currency);

create table claims (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  order_id text not null references orders (id) on delete cascade,
  text text not null,
  attachments jsonb not null default '[]'::jsonb,
  status text not null check (status in ('open', 'upheld', 'rejected')),
  filed_by bigint not null,
  filed_at timestamptz not null,
  -- The operator answers within 30 calendar days.
  answer_due_by timestamptz not null,
  answer text,
  resolution text check (resolution in ('full_refund', 'partial_refund', 'extension', 'fix', 'rejected')),
  refund_amount integer,
  extension_days integer,
  answered_at timestamptz
);
create index claims_open on claims (answer_due_by) where status = 'open';
