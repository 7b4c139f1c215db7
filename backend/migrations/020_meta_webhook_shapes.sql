-- Meta's webhooks as Meta sends them (issue #19).

-- Meta's template id: `message_template_status_update` names the template by it (its language is
-- written "en-US" there, "en_US" in the template list).
alter table whatsapp_templates add column template_id text;
create index whatsapp_templates_by_id on whatsapp_templates (waba_id, template_id);

-- Customers who hide their phone behind a WhatsApp username: Meta's business-scoped user id (BSUID)
-- names them, with or without a phone. A conversation without a phone has the BSUID as its wa_id.
alter table conversations add column user_id text;
alter table conversations add column username text;
create index conversations_user_id on conversations (number_id, user_id) where user_id is not null;

-- The customer's reaction to a message (an emoji; null when none or removed).
alter table messages add column reaction text;
