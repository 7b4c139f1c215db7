-- Kommo's native chat channel (Chats API, SPEC §5): per account, optional.

-- The account's connection of our channel: the admin's switch, and what the last connect gave.
-- `state` is what is due: 'connect' (after the switch or an install), 'disconnect' (switched off,
-- or uninstalled), 'connected' or 'off' once done.
create table kommo_channels (
  account_id text primary key references accounts (id) on delete cascade,
  enabled boolean not null default false,
  state text not null default 'off' check (state in ('connect', 'connected', 'disconnect', 'off')),
  amojo_account_id text,
  scope_id text unique,
  due_at timestamptz,
  attempts integer not null default 0,
  last_error text,
  updated_at timestamptz not null,
  updated_by bigint
);
create index kommo_channels_due on kommo_channels (due_at) where state in ('connect', 'disconnect');

-- The chat in Kommo of each conversation, created before its first message and linked to the contact.
create table kommo_channel_chats (
  conversation_id text primary key references conversations (id) on delete cascade,
  account_id text not null references accounts (id) on delete cascade,
  chat_id text not null,
  contact_id bigint,
  created_at timestamptz not null
);

-- Kommo users' amojo ids (the `ref_id` of what they send).
create table kommo_channel_users (
  account_id text not null references accounts (id) on delete cascade,
  kommo_user_id bigint not null,
  amojo_id text not null,
  primary key (account_id, kommo_user_id)
);
create index kommo_channel_users_amojo on kommo_channel_users (account_id, amojo_id);

-- What goes to Kommo's chat, in order per conversation: a message to import, or a status of one.
-- `error` is the reason of a failure the relay decided itself (a reply it could not send).
create table kommo_channel_outbox (
  seq bigserial primary key,
  account_id text not null references accounts (id) on delete cascade,
  conversation_id text not null references conversations (id) on delete cascade,
  kind text not null check (kind in ('message', 'status')),
  message_id text not null,
  status text not null default '',
  error text,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  last_error text,
  done_at timestamptz,
  unique (message_id, kind, status)
);
create index kommo_channel_outbox_due on kommo_channel_outbox (next_attempt_at) where done_at is null;
create index kommo_channel_outbox_conversation on kommo_channel_outbox (conversation_id, seq) where done_at is null;

-- Kommo's outgoing hooks (a manager answered in Kommo's chat): stored before the 200, since Kommo
-- sends each once and never again; `message_id` is the id our WhatsApp message gets, fixed here so a
-- send interrupted by a crash is recognised.
create table kommo_channel_replies (
  kommo_msgid text primary key,
  account_id text not null references accounts (id) on delete cascade,
  message_id text not null unique,
  body jsonb not null,
  received_at timestamptz not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  last_error text,
  done_at timestamptz
);
create index kommo_channel_replies_due on kommo_channel_replies (next_attempt_at) where done_at is null;
