import { useEffect, useRef } from 'preact/hooks';
import type { Translate } from '../i18n/translate';
import type { LicenceModel } from '../models/licence-model';
import type { ScreenModels } from '../models/screen-models';
import { ApiKeysPanel } from './ApiKeysPanel';
import { AutomationsPanel } from './AutomationsPanel';
import { BuyPanel } from './BuyPanel';
import { ConsentPanel } from './ConsentPanel';
import { KommoChannelPanel } from './KommoChannelPanel';
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
 * sections of SPEC §2, from the screens' models (`models/screen-models.ts`, a chunk the card does
 * not load).
 */
export function AdminScreens(props: Omit<ScreenModels, 'broadcasts'> & { licence: LicenceModel; t: Translate; language: string; selfId: number }) {
  const { admin, licence, users, orders, numbers, kommoChannel, apiKeys, webhooks, automations, t, language } = props;
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
          {
            id: 'numbers',
            title: t('sections.numbers'),
            content: (
              <>
                {/* The numbers, then where their conversations show: Kommo's own chat too, when switched on (decision 034). */}
                <NumbersPanel model={numbers} t={t} />
                <KommoChannelPanel model={kommoChannel} t={t} />
              </>
            ),
          },
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
