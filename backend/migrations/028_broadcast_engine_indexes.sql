-- The broadcast engine reads these every round: a number's broadcast sends of the last day (its
-- daily limit), and the sends left `sending` (the reconciliation). Without an index each was a scan
-- of every account's recipients.
create index broadcast_recipients_number_sent on broadcast_recipients (number_id, sent_at) where state = 'sent';
create index broadcast_recipients_sending on broadcast_recipients (claimed_at) where state = 'sending';
