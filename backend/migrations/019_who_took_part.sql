-- An agent's conversation list and broadcast preview show only customers they took part with
-- (auth/viewer.ts): these find what a user sent, and the leads they own, without scanning the account.
create index messages_sent_by on messages (account_id, sent_by) where sent_by is not null;
create index broadcast_recipients_lead_owner on broadcast_recipients (account_id, lead_owner_id, wa_id) where lead_owner_id is not null;
