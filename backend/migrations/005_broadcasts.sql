-- Broadcasts (SPEC §6): the campaign, its recipients with parameters frozen at launch, and the
-- template parts a broadcast needs (footer, buttons, header) to prove an unsubscribe path.

alter table whatsapp_templates add column header_format text;
alter table whatsapp_templates add column footer_text text;
alter table whatsapp_templates add column buttons jsonb not null default '[]';

-- What Meta tells each number's daily messaging limit is (unique customers outside a window per 24 h).
alter table whatsapp_numbers add column daily_limit integer not null default 250;

create table broadcasts (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  name text not null,
  created_by bigint not null,
  status text not null check (status in ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled')),
  -- Why a broadcast is paused: by_user, template_paused, failure_spike, allowance_exhausted.
  pause_reason text,
  pause_detail text,
  audience jsonb not null,
  consent_source text not null,
  template_name text not null,
  template_language text not null,
  template_body text not null,
  waba_id text not null,
  parameters jsonb not null,
  header_media jsonb,
  -- How the customer unsubscribes: the template's quick-reply button, or its footer/body line.
  unsubscribe text not null check (unsubscribe in ('button', 'line')),
  unsubscribe_button_index integer,
  number_ids jsonb not null,
  scheduled_at timestamptz,
  quiet_hours jsonb,
  -- Allowance taken at launch for recipients not yet sent; given back for those cancelled or refused.
  reserved integer not null default 0,
  created_at timestamptz not null,
  launched_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null
);
create index broadcasts_account on broadcasts (account_id, created_at desc);
create index broadcasts_active on broadcasts (status) where status in ('scheduled', 'running');

create table broadcast_recipients (
  -- Also the send's biz_opaque_callback_data: status webhooks name the recipient they belong to.
  id text primary key,
  broadcast_id text not null references broadcasts (id) on delete cascade,
  account_id text not null references accounts (id) on delete cascade,
  seq integer not null,
  wa_id text,
  raw_phone text,
  kommo_contact_id bigint,
  kommo_lead_id bigint,
  lead_owner_id bigint,
  name text,
  parameters jsonb not null default '[]',
  state text not null check (state in ('excluded', 'queued', 'sending', 'sent', 'failed', 'cancelled')),
  exclusion text check (exclusion in ('opted_out', 'no_phone', 'invalid_number', 'empty_parameter', 'over_allowance')),
  number_id text,
  claimed_by text,
  claimed_at timestamptz,
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  -- The message id a status webhook reported for this recipient while our send call had not answered.
  accepted_wamid text,
  wamid text unique,
  message_id text,
  error_code integer,
  error_title text,
  retryable boolean,
  sent_at timestamptz,
  replied_at timestamptz,
  unique (broadcast_id, wa_id)
);
create index broadcast_recipients_work on broadcast_recipients (broadcast_id, state, seq);
create index broadcast_recipients_message on broadcast_recipients (message_id);
create index broadcast_recipients_sent_wa on broadcast_recipients (account_id, wa_id, sent_at desc);

create table saved_audiences (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  name text not null,
  source text not null check (source in ('leads', 'contacts')),
  ids jsonb not null,
  created_at timestamptz not null
);

alter table account_settings add column reply_tasks boolean not null default false;

alter table broadcast_recipients add column outcome_at timestamptz;
create index broadcast_recipients_outcomes on broadcast_recipients (broadcast_id, outcome_at desc) where outcome_at is not null;
-- The licence period whose allowance holds the reservation; a new period means reserving again.
alter table broadcasts add column reserved_period_id text;
alter table broadcasts add column stats jsonb not null default '{}';

-- Which instance sends broadcast traffic on a number: one at a time, so pacing holds across instances.
create table broadcast_number_leases (
  number_id text primary key,
  holder text not null,
  until timestamptz not null
);

-- Notes and tasks on Kommo leads (broadcast replies), written once each, under Kommo's rate limit.
create table kommo_lead_outbox (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  lead_id bigint not null,
  kind text not null check (kind in ('note', 'task')),
  text text not null,
  responsible_user_id bigint,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  last_error text,
  done_at timestamptz
);
create index kommo_lead_outbox_due on kommo_lead_outbox (next_attempt_at) where done_at is null;
