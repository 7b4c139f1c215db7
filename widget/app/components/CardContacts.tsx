import type { HostContext } from '../../../contract/host-messages';
import type { Translate } from '../i18n/translate';

export function CardContacts({ contacts, t }: { contacts: HostContext['contacts']; t: Translate }) {
  if (!contacts.length) return <p class="wb-muted">{t('app.card.no_contacts')}</p>;
  return (
    <ul class="wb-contacts" data-testid="wabridge-contacts">
      {contacts.map((c) => (
        <li key={c.id}>
          <strong>{c.name}</strong> {c.phones.length ? c.phones.join(', ') : <span class="wb-muted">{t('app.card.no_phone')}</span>}
        </li>
      ))}
    </ul>
  );
}
