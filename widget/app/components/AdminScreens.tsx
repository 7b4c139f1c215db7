import { useEffect, useMemo, useRef } from 'preact/hooks';
import { describeError, type Describe } from '../i18n/error-sentence';
import type { Translate } from '../i18n/translate';
import type { AccountAdminModel } from '../models/account-admin-model';
import { createApiKeysModel } from '../models/api-keys-model';
import { createAutomationsModel } from '../models/automations-model';
import type { LicenceModel } from '../models/licence-model';
import { createNumbersModel } from '../models/numbers-model';
import type { OrdersModel } from '../models/orders-model';
import type { UsersModel } from '../models/users-model';
import { createWebhooksModel } from '../models/webhooks-model';
import type { ApiClient } from '../api/api-client';
import { ApiKeysPanel } from './ApiKeysPanel';
import { AutomationsPanel } from './AutomationsPanel';
import { BuyPanel } from './BuyPanel';
import { ConsentPanel } from './ConsentPanel';
import { NumbersPanel } from './NumbersPanel';
import { OrdersList } from './OrdersList';
import { PlanCards } from './PlanCards';
import { RegistrationForm } from './RegistrationForm';
import { SettingsPanel } from './SettingsPanel';
import { SettingsSections } from './SettingsSections';
import { TermsNotice } from './TermsNotice';
import { UsersPanel } from './UsersPanel';
import { WebhooksPanel } from './WebhooksPanel';

/**
 * What only a Kommo admin sees in the settings modal and the advanced settings page, in the
 * sections of SPEC §2. The models only these screens use are made here, so their code stays in
 * the admin chunk and out of the card.
 */
export function AdminScreens(props: { admin: AccountAdminModel; licence: LicenceModel; users: UsersModel; orders: OrdersModel; api: ApiClient; t: Translate; language: string; selfId: number }) {
  const { admin, licence, users, orders, api, t, language } = props;
  // Errors in the language of the moment they happen, though the models live as long as the screen.
  const latestT = useRef(t);
  latestT.current = t;
  const describe = useMemo<Describe>(() => (error, labels) => describeError(error, latestT.current, labels), []);
  const numbers = useMemo(() => createNumbersModel({ api, licence, describe }), [api, licence]);
  const apiKeys = useMemo(() => createApiKeysModel({ api, describe }), [api]);
  const webhooks = useMemo(() => createWebhooksModel({ api, describe }), [api]);
  const automations = useMemo(() => createAutomationsModel({ api, describe }), [api]);
  const billing = useRef<HTMLDivElement>(null);
  useEffect(() => {
    void admin.load();
  }, [admin]);
  // Orders are watched whatever section is open: a payment that activates a plan updates the
  // licence, and with it the number limit, without a reload.
  useEffect(() => {
    void orders.load();
    return orders.watch();
  }, [orders]);
  if (!admin.admin.value) return null;
  // The buy panel's "register first" takes the admin to the form above it (or the new terms).
  const toRegistration = () => {
    const target = billing.current?.querySelector<HTMLElement>('[data-testid="terms-notice"] button, [data-testid="registration-form"] input');
    target?.scrollIntoView({ block: 'center' });
    target?.focus();
  };
  return (
    <div class="wb-admin" data-testid="admin-screens">
      <SettingsSections
        label={t('sections.label')}
        sections={[
          {
            id: 'billing',
            title: t('sections.billing'),
            content: (
              <div ref={billing}>
                <PlanCards model={licence} t={t} language={language} />
                <RegistrationForm model={admin} t={t} />
                <TermsNotice model={admin} t={t} language={language} />
                <BuyPanel orders={orders} licence={licence} admin={admin} t={t} language={language} onRegister={toRegistration} />
                <OrdersList orders={orders} t={t} language={language} />
              </div>
            ),
          },
          { id: 'numbers', title: t('sections.numbers'), content: <NumbersPanel model={numbers} t={t} /> },
          { id: 'team', title: t('sections.team'), content: <UsersPanel model={users} t={t} selfId={props.selfId} /> },
          {
            id: 'automation',
            title: t('sections.automation'),
            content: (
              <>
                {/* Automation first (what Wabridge does by itself in Kommo), then the API for other programs. */}
                <SettingsPanel model={admin} licence={licence} t={t} />
                <AutomationsPanel model={automations} licence={licence} t={t} />
                <ApiKeysPanel model={apiKeys} licence={licence} t={t} language={language} />
                <WebhooksPanel model={webhooks} t={t} language={language} />
              </>
            ),
          },
          { id: 'privacy', title: t('sections.privacy'), content: <ConsentPanel model={admin} t={t} /> },
        ]}
      />
    </div>
  );
}
