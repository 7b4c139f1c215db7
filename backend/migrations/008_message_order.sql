-- Messages with the same timestamp (WhatsApp's are whole seconds: a customer who sends three lines
-- at once) are shown in the order they were stored, not in the order of their random ids.
alter table messages add column seq bigint generated always as identity;
drop index messages_conversation;
create index messages_conversation on messages (conversation_id, created_at desc, seq desc);
