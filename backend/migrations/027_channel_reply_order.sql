-- Managers' answers from Kommo's chat go out in the order they came, one chat at a time, whichever
-- instance drains them (docs/decisions/026): the queue holds an answer back behind any older open
-- answer of the same chat. `seq` is the order they were stored in (two hooks can carry the same
-- time); answers already waiting are numbered by the time they came.
alter table kommo_channel_replies add column chat_id text;
update kommo_channel_replies set chat_id = body -> 'message' -> 'conversation' ->> 'client_id';
alter table kommo_channel_replies add column seq bigint;
update kommo_channel_replies r set seq = n.rn
  from (select kommo_msgid, row_number() over (order by received_at, kommo_msgid) as rn from kommo_channel_replies) n
  where n.kommo_msgid = r.kommo_msgid;
create sequence kommo_channel_replies_seq owned by kommo_channel_replies.seq;
select setval('kommo_channel_replies_seq', coalesce((select max(seq) from kommo_channel_replies), 0) + 1, false);
alter table kommo_channel_replies alter column seq set default nextval('kommo_channel_replies_seq');
alter table kommo_channel_replies alter column seq set not null;
create index kommo_channel_replies_chat on kommo_channel_replies (chat_id, seq) where done_at is null;
