import type { MeResponse } from '../../../contract/account';
import { formatDate } from '../i18n/format';
import type { Translate } from '../i18n/translate';

export function SignedIn({ me, t, language }: { me: MeResponse; t: Translate; language: string }) {
  // Written as every other date of the widget's language, not the browser's.
  const installed = formatDate(me.account.installedAt, language, me.account.timezone ?? undefined);
  return (
    <header class="wb-header">
      <p data-testid="wabridge-user">{t('app.signed_in_as', { name: me.user.name ?? `#${me.user.id}`, role: t(`app.role.${me.user.role}`) })}</p>
      <p class="wb-muted" data-testid="wabridge-account">
        {t('app.account_installed', { account: me.account.name ?? me.account.subdomain, subdomain: me.account.subdomain, date: installed })}
      </p>
    </header>
  );
}
