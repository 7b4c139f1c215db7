-- WhatsApp numbers connected by each account, the webhook inbox, conversations with the 24-hour
-- window, and messages with their delivery status.

create table whatsapp_numbers (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  phone_number_id text not null unique,
  waba_id text not null,
  display_phone_number text not null,
  verified_name text,
  -- The Cloud API access token, AES-256-GCM; never sent to the browser.
  token_enc text not null,
  connected_by bigint not null,
  connected_at timestamptz not null
);
create index whatsapp_numbers_account on whatsapp_numbers (account_id);

-- Every signed webhook POST, stored before it is acknowledged and processed from here.
create table whatsapp_inbox (
  id bigserial primary key,
  body jsonb not null,
  received_at timestamptz not null,
  processed_at timestamptz,
  error text
);
create index whatsapp_inbox_unprocessed on whatsapp_inbox (id) where processed_at is null;

create table conversations (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  number_id text not null references whatsapp_numbers (id) on delete cascade,
  -- The customer's WhatsApp id (digits of the E.164 number).
  wa_id text not null,
  customer_name text,
  -- The 24-hour customer-service window runs from the customer's last message.
  last_inbound_at timestamptz,
  opted_out_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (number_id, wa_id)
);
create index conversations_account on conversations (account_id, updated_at desc);

create table messages (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  conversation_id text not null references conversations (id) on delete cascade,
  direction text not null check (direction in ('in', 'out')),
  -- Meta's message id: unique, so a repeated inbound webhook adds nothing.
  wamid text unique,
  type text not null,
  content jsonb not null,
  status text not null check (status in ('received', 'queued', 'sent', 'delivered', 'read', 'failed')),
  error_code integer,
  error_title text,
  sent_by bigint,
  reply_to text,
  created_at timestamptz not null,
  status_at timestamptz not null
);
create index messages_conversation on messages (conversation_id, created_at desc, id desc);

-- A status can arrive before our send call has returned the message id: it waits here.
create table early_statuses (
  wamid text not null,
  status text not null,
  error_code integer,
  error_title text,
  at timestamptz not null,
  primary key (wamid, status)
);

-- Every message in and out goes to the Kommo timeline as a note, through this durable outbox.
create table kommo_note_outbox (
  message_id text primary key references messages (id) on delete cascade,
  account_id text not null references accounts (id) on delete cascade,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  last_error text,
  done_at timestamptz
);
create index kommo_note_outbox_due on kommo_note_outbox (next_attempt_at) where done_at is null;

alter table conversations add column kommo_contact_id bigint;

-- Message templates as Meta has them for each WABA, synced on connect, on demand and on a schedule.
create table whatsapp_templates (
  account_id text not null references accounts (id) on delete cascade,
  waba_id text not null,
  name text not null,
  language text not null,
  status text not null,
  category text,
  body_text text not null,
  param_count integer not null,
  synced_at timestamptz not null,
  primary key (account_id, waba_id, name, language)
);

alter table conversations add column last_read_at timestamptz;
