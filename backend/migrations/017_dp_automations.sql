-- Digital-pipeline automations live in our backend (SPEC §7): Kommo's action settings carry only the
-- automation's unguessable id; the template, its parameters and the number are read from here.
create table dp_automations (
  -- 128 bits of randomness (base64url): the only thing Kommo's action settings hold.
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  name text not null,
  -- Our whatsapp_numbers id; null = the account's first connected number at send time.
  number_id text,
  template text not null,
  language text not null,
  -- Body parameters in order; {{contact.name}}, {{contact.first_name}}, {{lead.name}} are filled in.
  parameters jsonb not null,
  created_by bigint not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index dp_automations_account on dp_automations (account_id, created_at);

-- The old runs were keyed by the time the caller claimed and carried the caller's settings: a
-- pending one would send text we never configured. They go; the new runs are stage entries.
drop table dp_runs;
create table dp_runs (
  id text primary key,
  account_id text not null references accounts (id) on delete cascade,
  automation_id text not null references dp_automations (id) on delete cascade,
  lead_id bigint not null,
  status_id bigint not null,
  outcome text,
  detail text,
  created_at timestamptz not null,
  -- Set when Kommo's lead data shows the lead is not in the stage (any more): the entry is over,
  -- and the next call for that stage is a new entry.
  left_at timestamptz
);
-- One send per (lead, stage entry): one open entry per automation, lead and stage.
create unique index dp_runs_open_entry on dp_runs (automation_id, lead_id, status_id) where left_at is null;
create index dp_runs_lead on dp_runs (account_id, lead_id) where left_at is null;
create index dp_runs_pending on dp_runs (created_at) where outcome is null or outcome = 'working';
