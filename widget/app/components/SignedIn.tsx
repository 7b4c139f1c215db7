import type { MeResponse } from '../../../contract/account';
import type { Translate } from '../i18n/translate';

export function SignedIn({ me, t }: { me: MeResponse; t: Translate }) {
  const installed = new Date(me.account.installedAt).toLocaleDateString(undefined, { timeZone: me.account.timezone ?? undefined });
  return (
    <header class="wb-header">
      <p data-testid="wabridge-user">
        {t('app.signed_in_as', { name: me.user.name ?? `#${me.user.id}`, role: t(`app.role.${me.user.role}`) })}
      </p>
      <p class="wb-muted" data-testid="wabridge-account">
        {t('app.account_installed', { account: me.account.name ?? me.account.subdomain, subdomain: me.account.subdomain, date: installed })}
      </p>
    </header>
  );
}
