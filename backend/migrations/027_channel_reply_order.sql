-- Managers' answers from Kommo's chat go out in the order they came, one chat at a time, whichever
-- instance drains them (docs/decisions/026): the queue holds an answer back while an older one of
-- the same chat is still leased or waiting for its retry. `seq` is the order they were stored in
-- (two hooks can carry the same time).
alter table kommo_channel_replies add column chat_id text;
alter table kommo_channel_replies add column seq bigserial;
update kommo_channel_replies set chat_id = body -> 'message' -> 'conversation' ->> 'client_id';
create index kommo_channel_replies_chat on kommo_channel_replies (chat_id, seq) where done_at is null;
