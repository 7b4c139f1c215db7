-- A recipient whose own mapped CRM values hold a forbidden word is left out of the broadcast with
-- that reason (SPEC §6), next to the other exclusions.
alter table broadcast_recipients drop constraint broadcast_recipients_exclusion_check;
alter table broadcast_recipients add constraint broadcast_recipients_exclusion_check
  check (exclusion in ('opted_out', 'no_phone', 'invalid_number', 'empty_parameter', 'forbidden_words', 'over_allowance'));
