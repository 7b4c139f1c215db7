-- The Salesbot request token a step was opened with (its jti, or a hash of its signed part when it
-- has none): one token opens at most one step (docs/decisions/035). Steps opened before have none.
alter table salesbot_runs add column token_id text;
create unique index salesbot_runs_token on salesbot_runs (account_id, token_id);
