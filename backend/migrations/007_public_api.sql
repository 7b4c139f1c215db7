-- The public API (SPEC §7): API keys, idempotent sends, outgoing webhooks, digital-pipeline runs.

create table api_keys (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  name text not null,
  -- The first characters, shown so the admin can tell keys apart; the key itself is never stored.
  prefix text not null,
  -- SHA-256 of the whole key (keys are 256-bit random, so a fast hash is enough).
  hash text not null unique,
  created_by bigint not null,
  created_at timestamptz not null,
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_keys_account on api_keys (account_id, created_at desc);

-- A client's Idempotency-Key: the first request's answer, returned again for a repeat.
create table api_idempotency (
  account_id text not null references accounts (id) on delete cascade,
  key text not null,
  request_hash text not null,
  status integer,
  response jsonb,
  created_at timestamptz not null,
  primary key (account_id, key)
);

create table webhook_endpoints (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  url text not null,
  secret_enc text not null,
  created_by bigint not null,
  created_at timestamptz not null,
  disabled_at timestamptz
);
create index webhook_endpoints_account on webhook_endpoints (account_id);

-- One row per (event, endpoint): the event id is what the receiver deduplicates on.
create table webhook_deliveries (
  id text primary key,
  event_id text not null,
  endpoint_id text not null references webhook_endpoints (id) on delete cascade,
  account_id text not null references accounts (id) on delete cascade,
  type text not null,
  payload jsonb not null,
  created_at timestamptz not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  last_status integer,
  last_error text,
  delivered_at timestamptz,
  gave_up_at timestamptz
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where delivered_at is null and gave_up_at is null;
create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at desc);
-- An event that must happen once per subject (a broadcast finishing) is recorded once.
create unique index webhook_deliveries_once on webhook_deliveries (endpoint_id, event_id);

-- A digital-pipeline trigger: once per (lead, stage entry), whatever Kommo repeats.
create table dp_runs (
  account_id text not null references accounts (id) on delete cascade,
  lead_id bigint not null,
  status_id bigint not null,
  entered_at bigint not null,
  -- The action's settings as Kommo sent them with the event.
  settings jsonb not null,
  outcome text,
  detail text,
  created_at timestamptz not null,
  primary key (account_id, lead_id, status_id, entered_at)
);
