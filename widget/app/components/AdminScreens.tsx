import { useEffect } from 'preact/hooks';
import type { Translate } from '../i18n/translate';
import type { AccountAdminModel } from '../models/account-admin-model';
import type { LicenceModel } from '../models/licence-model';
import type { OrdersModel } from '../models/orders-model';
import type { ApiClient } from '../api/api-client';
import { AutomationsPanel } from './AutomationsPanel';
import { BuyPanel } from './BuyPanel';
import { DevelopersPanel } from './DevelopersPanel';
import { NumbersPanel } from './NumbersPanel';
import { OrdersList } from './OrdersList';
import type { UsersModel } from '../models/users-model';
import { ConsentPanel } from './ConsentPanel';
import { PlanCards } from './PlanCards';
import { RegistrationForm } from './RegistrationForm';
import { SettingsPanel } from './SettingsPanel';
import { TermsNotice } from './TermsNotice';
import { UsersPanel } from './UsersPanel';

/** What only a Kommo admin sees in the settings modal and the advanced settings page. */
export function AdminScreens(props: { admin: AccountAdminModel; licence: LicenceModel; users: UsersModel; orders: OrdersModel; api: ApiClient; t: Translate; language: string; selfId: number }) {
  const { admin, licence, users, orders, t, language } = props;
  useEffect(() => {
    void admin.load();
  }, [admin]);
  if (!admin.admin.value) return null;
  return (
    <div class="wb-admin" data-testid="admin-screens">
      <PlanCards model={licence} t={t} language={language} />
      <RegistrationForm model={admin} t={t} />
      <TermsNotice model={admin} t={t} language={language} />
      <BuyPanel orders={orders} licence={licence} admin={admin} t={t} language={language} />
      <OrdersList orders={orders} t={t} language={language} />
      <NumbersPanel api={props.api} t={t} />
      <SettingsPanel model={admin} licence={licence} t={t} />
      <UsersPanel model={users} t={t} selfId={props.selfId} />
      <AutomationsPanel api={props.api} licence={licence} t={t} />
      <DevelopersPanel api={props.api} licence={licence} t={t} language={language} />
      <ConsentPanel model={admin} t={t} />
    </div>
  );
}
