-- Every broadcast claim, digital-pipeline send and public-API template send asks whether the customer
-- opted out in any chat of the account: a small index of the opted-out customers answers it.
create index conversations_opted_out on conversations (account_id, wa_id) where opted_out_at is not null;
