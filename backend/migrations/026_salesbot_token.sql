-- The Salesbot request token a step was opened with (its jti, or a hash of its signed part when it
-- has none): one token opens at most one step (docs/decisions/035). Steps opened before have none.
alter table salesbot_runs add column token_id text;
create unique index salesbot_runs_token on salesbot_runs (account_id, token_id);

-- Salesbot steps are a durable queue (store/durable-queue.ts, decision 035): a lease of their own,
-- and the last failure of a continue kept apart from the step's outcome sentence (`detail`).
alter table salesbot_runs add column claimed_until timestamptz;
alter table salesbot_runs add column last_error text;
update salesbot_runs set claimed_until = claimed_at + interval '10 minutes' where outcome = 'working';
