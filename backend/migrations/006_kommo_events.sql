-- System events of a conversation (opt-out, opt-in, failed deliveries) for the contact's Kommo
-- timeline as `extended_service_message` notes, written once each.
create table kommo_event_outbox (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  conversation_id text not null references conversations (id) on delete cascade,
  text text not null,
  at timestamptz not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  last_error text,
  done_at timestamptz
);
create index kommo_event_outbox_due on kommo_event_outbox (next_attempt_at) where done_at is null;
