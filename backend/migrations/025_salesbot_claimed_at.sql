-- When a Salesbot step was last taken by a drain: a step left 'working' is judged stale by this time,
-- not by when Kommo sent it (a step taken late could be taken again while it was being sent).
alter table salesbot_runs add column claimed_at timestamptz;
