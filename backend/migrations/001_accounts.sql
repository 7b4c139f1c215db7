-- Kommo accounts that installed the widget, their OAuth tokens, the install hook's durable inbox,
-- the users who opened the widget, replay protection for Kommo's one-time tokens, and the audit log.

create table accounts (
  id text primary key,
  kommo_account_id bigint not null unique,
  subdomain text not null,
  host text not null,
  name text,
  country text,
  currency text,
  language text,
  timezone text,
  status text not null check (status in ('active', 'uninstalled')),
  installed_at timestamptz not null,
  uninstalled_at timestamptz,
  installed_by_user_id bigint,
  kommo_plan_name text,
  kommo_plan_paid_till timestamptz,
  kommo_plan_seen_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

-- Tokens are ciphertext (AES-256-GCM); dropped on uninstall.
create table kommo_tokens (
  account_id text primary key references accounts (id) on delete cascade,
  access_token_enc text not null,
  refresh_token_enc text not null,
  access_expires_at timestamptz not null,
  updated_at timestamptz not null
);

-- The install hook stores each call here and answers at once; a background task exchanges the code.
create table kommo_install_requests (
  id text primary key,
  code_enc text not null,
  referer text not null,
  state text,
  client_id text,
  from_widget boolean not null default false,
  status text not null check (status in ('pending', 'done', 'failed')),
  error text,
  account_id text references accounts (id) on delete set null,
  -- A lease: the process exchanging the code holds it until then; a crashed one's lease runs out.
  claimed_until timestamptz,
  received_at timestamptz not null,
  processed_at timestamptz
);
create index kommo_install_requests_pending on kommo_install_requests (received_at) where status = 'pending';

create table used_token_ids (
  jti text primary key,
  expires_at timestamptz not null
);
create index used_token_ids_expiry on used_token_ids (expires_at);

create table account_users (
  account_id text not null references accounts (id) on delete cascade,
  kommo_user_id bigint not null,
  name text,
  is_admin boolean not null default false,
  enabled boolean not null default true,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  primary key (account_id, kommo_user_id)
);

create table audit_log (
  id bigserial primary key,
  account_id text references accounts (id) on delete cascade,
  actor text not null,
  action text not null,
  details jsonb not null default '{}'::jsonb,
  at timestamptz not null
);
create index audit_log_account on audit_log (account_id, at);
