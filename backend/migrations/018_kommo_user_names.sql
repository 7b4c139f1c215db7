-- User names come from Kommo's users API, never from the browser (SPEC §9): when each was last read there.
alter table account_users add column name_synced_at timestamptz;
-- The names stored so far were reported by browsers: forgotten, and read from Kommo at the next
-- sign-in; the installing admin's, which install read from Kommo, is kept.
update account_users set name = null;
update account_users u set name = a.installed_by_name, name_synced_at = a.installed_at
  from accounts a
  where a.id = u.account_id and a.installed_by_user_id = u.kommo_user_id and a.installed_by_name is not null;
