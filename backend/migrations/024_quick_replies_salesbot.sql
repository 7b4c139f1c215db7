-- Quick replies (SPEC §5): saved answers with CRM placeholders, the account's (made by admins,
-- owner_user_id null) and each user's own (owner_user_id = the Kommo user id).
create table quick_replies (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  owner_user_id bigint,
  -- What the agent types after "/" to find it (lower case, no spaces).
  shortcut text not null,
  body text not null,
  created_by bigint not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
-- One shortcut per scope: once among the account's replies, once among each user's own.
create unique index quick_replies_account_shortcut on quick_replies (account_id, shortcut) where owner_user_id is null;
create unique index quick_replies_user_shortcut on quick_replies (account_id, owner_user_id, shortcut) where owner_user_id is not null;

-- Salesbot "Send a WhatsApp template" steps (docs/decisions/027): one row per widget_request Kommo
-- makes, keyed by its continue point (bot id, continue id), so a repeated request sends once and
-- continues the bot once.
create table salesbot_runs (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  bot_id bigint not null,
  continue_id text not null,
  lead_id bigint,
  contact_id bigint,
  template text not null,
  language text not null,
  parameters jsonb not null,
  number_id text,
  -- null until acted on; 'working' while sending; then sent / failed / opted_out.
  outcome text,
  detail text,
  -- When Kommo accepted the continue call; until then only the continue is tried again.
  continued_at timestamptz,
  attempts int not null default 0,
  created_at timestamptz not null,
  unique (account_id, bot_id, continue_id)
);
create index salesbot_runs_pending on salesbot_runs (created_at) where continued_at is null;
