-- The durable queues share one module (decision 023): a row is due when `next_attempt_at` is null or
-- past, a failed attempt is counted and waits by the queue's backoff, a claimed row is leased.
-- The two stored-event inboxes retried failures on a schedule of their own; now by their backoff.
alter table whatsapp_inbox add column attempts integer not null default 0;
alter table whatsapp_inbox add column next_attempt_at timestamptz;
alter table payment_events add column attempts integer not null default 0;
alter table payment_events add column next_attempt_at timestamptz;
-- A digital-pipeline entry was taken again once it was ten minutes old, even just after it was
-- claimed; now a claim leases it until `claimed_until`.
alter table dp_runs add column claimed_until timestamptz;
