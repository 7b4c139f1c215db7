-- Kommo's install hook is open to anyone: a code is stored once however often it is sent
-- (hash, since the code itself is kept encrypted), and old requests are purged by age.
alter table kommo_install_requests add column code_hash text;
create unique index kommo_install_requests_code on kommo_install_requests (code_hash);
create index kommo_install_requests_received on kommo_install_requests (received_at);
