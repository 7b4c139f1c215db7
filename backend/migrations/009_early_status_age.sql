-- The sweep of early statuses (every two seconds) looks at recent ones only, and statuses whose
-- message never came are forgotten by age: both read early_statuses by `at`.
create index early_statuses_at on early_statuses (at);
