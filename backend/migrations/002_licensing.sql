-- Licences: periods per account (demo and paid), the message allowance of each period, the demo
-- granted once per Kommo account, outage credits, registration, terms and consent.

-- Survives the account's purge on purpose: it holds no personal data and keeps "one demo per Kommo account".
create table demo_grants (
  kommo_account_id bigint primary key,
  granted_at timestamptz not null
);

create table licence_periods (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  plan text not null check (plan in ('demo', 'user', 'pro', 'vip')),
  starts_at timestamptz not null,
  -- A demo cut short by a payment in its first instant ends where it starts.
  ends_at timestamptz not null check (ends_at >= starts_at),
  -- 00:00 in the account's time zone on the day the period begins: the allowance counts from here.
  allowance_starts_at timestamptz not null,
  message_limit integer not null check (message_limit >= 0),
  number_limit integer not null check (number_limit >= 0),
  messages_used integer not null default 0 check (messages_used >= 0),
  order_id text,
  upgraded_from text,
  created_at timestamptz not null
);
create index licence_periods_account on licence_periods (account_id, starts_at);

create table outages (
  id text primary key,
  starts_at timestamptz not null,
  ends_at timestamptz not null check (ends_at > starts_at),
  note text,
  credit_days integer not null check (credit_days > 0),
  recorded_at timestamptz not null
);

create table outage_credits (
  outage_id text not null references outages (id) on delete cascade,
  account_id text not null references accounts (id) on delete cascade,
  days integer not null,
  primary key (outage_id, account_id)
);

create table terms_versions (
  version text primary key,
  title text not null,
  body text not null,
  published_at timestamptz not null,
  effective_at timestamptz not null
);

create table terms_acceptances (
  account_id text not null references accounts (id) on delete cascade,
  version text not null references terms_versions (version),
  accepted_at timestamptz not null,
  accepted_by bigint not null,
  primary key (account_id, version)
);

-- Personal data of the admin who registered the account (SPEC §4.6); deleted on consent withdrawal.
create table registrations (
  account_id text primary key references accounts (id) on delete cascade,
  last_name text not null,
  first_name text not null,
  patronymic text,
  email text not null,
  phone text not null,
  city text not null,
  registered_by bigint not null,
  registered_at timestamptz not null,
  updated_at timestamptz not null
);

alter table accounts add column consent_withdrawn_at timestamptz;
alter table accounts add column personal_data_deleted_at timestamptz;
alter table accounts add column installed_by_name text;

insert into terms_versions (version, title, body, published_at, effective_at) values (
  '2026-11-01',
  'Wabridge licence agreement',
  'Wabridge is licensed per Kommo account for 30-day periods, paid in advance. A period starts when it is activated; a renewal paid during a running period starts when that period ends. The message allowance of a period resets at 00:00 in the account''s time zone on the day the period begins; unused messages expire. An upgrade takes effect at once and costs the new plan''s price less the unused value of the current period, pro rata by whole remaining days; a downgrade takes effect at the next renewal. You may file a written claim about the scope of the rights granted until the end of the 10th calendar day after the payment date, in the account''s time zone; after that the licence is deemed provided in full and properly. If a paid licence is not activated within 10 calendar days of payment you may terminate it and receive the whole amount back. Otherwise early termination does not refund the prepayment, and the licence stays usable until its end. Refunds go only to the card or account that paid. You may withdraw consent to the processing of personal data at any time; the data is then deleted within 30 days and the widget stops working for the account. After uninstall or expiry, data is kept for 90 days and then deleted.',
  '2026-10-25T00:00:00Z',
  '2026-11-01T00:00:00Z'
);

create table account_settings (
  account_id text primary key references accounts (id) on delete cascade,
  auto_create_from_inbound boolean not null default false,
  updated_at timestamptz not null,
  updated_by bigint
);
