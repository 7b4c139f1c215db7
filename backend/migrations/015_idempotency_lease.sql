-- An Idempotency-Key row in progress names the request that holds it: after a minute without an
-- answer (its process crashed) another request with the same key takes it over, and only the holder's
-- answer is stored. `created_at` is when the current holder started. Rows older than 24 hours are
-- forgotten (a key reused later is a new request) and deleted on a schedule, by age.
alter table api_idempotency add column holder text;
create index api_idempotency_created on api_idempotency (created_at);
