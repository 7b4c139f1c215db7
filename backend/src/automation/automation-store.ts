import type { DpAutomationView } from '../../../contract/automation';
import type { Clock } from '../clock';
import type { Db, Queryable } from '../store/db';
import { durableQueue } from '../store/durable-queue';

/** The SQL of digital-pipeline automations and their runs (one run per lead's stage entry). */

interface AutomationRow {
  id: string;
  account_id: string;
  name: string;
  number_id: string | null;
  template: string;
  language: string;
  parameters: string[] | string;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface Automation {
  id: string;
  accountId: string;
  name: string;
  numberId: string | null;
  template: string;
  language: string;
  parameters: string[];
}

export interface AutomationFields {
  name: string;
  numberId: string | null;
  template: string;
  language: string;
  parameters: string[];
}

export interface DpRun {
  id: string;
  account_id: string;
  automation_id: string;
  lead_id: string;
  status_id: string;
}

export type RunOutcome = 'sent' | 'failed' | 'skipped' | 'opted_out';

const fromRow = (r: AutomationRow): Automation => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  numberId: r.number_id,
  template: r.template,
  language: r.language,
  parameters: typeof r.parameters === 'string' ? (JSON.parse(r.parameters) as string[]) : r.parameters,
});

export const automationView = (r: AutomationRow): DpAutomationView => {
  const a = fromRow(r);
  return {
    id: a.id,
    name: a.name,
    numberId: a.numberId,
    template: a.template,
    language: a.language,
    parameters: a.parameters,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
};

export function createAutomationStore(db: Db) {
  return {
    /** Runs `fn` in one transaction of this store. */
    transaction: <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => db.transaction(fn),

    async list(accountId: string): Promise<DpAutomationView[]> {
      const rows = await db.query<AutomationRow>('select * from dp_automations where account_id = $1 order by created_at, id', [accountId]);
      return rows.map(automationView);
    },

    async view(q: Queryable, accountId: string, id: string): Promise<DpAutomationView | undefined> {
      const [row] = await q.query<AutomationRow>('select * from dp_automations where id = $1 and account_id = $2', [id, accountId]);
      return row && automationView(row);
    },

    async count(q: Queryable, accountId: string): Promise<number> {
      const [row] = await q.query<{ n: string | number }>('select count(*) as n from dp_automations where account_id = $1', [accountId]);
      return Number(row?.n ?? 0);
    },

    async numberBelongs(q: Queryable, accountId: string, numberId: string): Promise<boolean> {
      return (await q.query('select 1 from whatsapp_numbers where id = $1 and account_id = $2', [numberId, accountId])).length > 0;
    },

    async insert(q: Queryable, row: AutomationFields & { id: string; accountId: string; createdBy: number; at: Date }): Promise<void> {
      await q.query(
        `insert into dp_automations (id, account_id, name, number_id, template, language, parameters, created_by, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
        [row.id, row.accountId, row.name, row.numberId, row.template, row.language, JSON.stringify(row.parameters), row.createdBy, row.at],
      );
    },

    /** False when the account has no such automation. */
    async update(q: Queryable, accountId: string, id: string, fields: AutomationFields, at: Date): Promise<boolean> {
      const rows = await q.query(
        `update dp_automations set name = $3, number_id = $4, template = $5, language = $6, parameters = $7, updated_at = $8
         where id = $1 and account_id = $2 returning id`,
        [id, accountId, fields.name, fields.numberId, fields.template, fields.language, JSON.stringify(fields.parameters), at],
      );
      return rows.length > 0;
    },

    /** False when the account has no such automation. Its runs go with it. */
    async remove(q: Queryable, accountId: string, id: string): Promise<boolean> {
      return (await q.query('delete from dp_automations where id = $1 and account_id = $2 returning id', [id, accountId])).length > 0;
    },

    /**
     * The automation a Kommo call names, only when it belongs to the Kommo account the call names
     * and that account is active: one query, so every other case looks the same from outside.
     */
    async forKommoCall(kommoAccountId: number, automationId: string): Promise<Automation | undefined> {
      const [row] = await db.query<AutomationRow>(
        `select d.* from dp_automations d join accounts a on a.id = d.account_id
         where d.id = $1 and a.kommo_account_id = $2 and a.status = 'active'`,
        [automationId, kommoAccountId],
      );
      return row && fromRow(row);
    },

    /** The first automation made in the account of a Kommo account id (the demo's "lead enters stage" names it). */
    async firstOfKommoAccount(kommoAccountId: number): Promise<string | undefined> {
      const [row] = await db.query<{ id: string }>(
        'select d.id from dp_automations d join accounts a on a.id = d.account_id where a.kommo_account_id = $1 order by d.created_at, d.id limit 1',
        [kommoAccountId],
      );
      return row?.id;
    },

    async automation(id: string): Promise<Automation | undefined> {
      const [row] = await db.query<AutomationRow>('select * from dp_automations where id = $1', [id]);
      return row && fromRow(row);
    },

    /** Records a stage entry; false when this automation already has an open entry for the lead in that stage. */
    async openEntry(run: { id: string; accountId: string; automationId: string; leadId: number; statusId: number; at: Date }): Promise<boolean> {
      const rows = await db.query(
        `insert into dp_runs (id, account_id, automation_id, lead_id, status_id, created_at) values ($1, $2, $3, $4, $5, $6)
         on conflict (automation_id, lead_id, status_id) where left_at is null do nothing returning id`,
        [run.id, run.accountId, run.automationId, run.leadId, run.statusId, run.at],
      );
      return rows.length > 0;
    },

    /**
     * Entries not yet acted on, and those a crashed process left working, leased for `leaseMs`
     * (until then no other drain takes them, however old the entry is).
     */
    async claimPending(clock: Clock, limit: number, leaseMs: number): Promise<DpRun[]> {
      return durableQueue('dp_runs', clock).claim<DpRun>(db, { limit, leaseMs });
    },

    async finish(q: Queryable, runId: string, outcome: RunOutcome, detail: string, leftAt: Date | null): Promise<void> {
      await q.query('update dp_runs set outcome = $2, detail = $3, left_at = coalesce(left_at, $4) where id = $1', [runId, outcome, detail, leftAt]);
    },

    /**
     * The lead is in `statusId` now (Kommo says so): the entries it had in other stages are over, so
     * coming back to one of them is a new entry. Entries still being worked on are left alone.
     */
    async closeOtherStages(accountId: string, leadId: number, statusId: number, at: Date): Promise<void> {
      await db.query(
        `update dp_runs set left_at = $4 where account_id = $1 and lead_id = $2 and status_id <> $3 and left_at is null and outcome is not null and outcome <> 'working'`,
        [accountId, leadId, statusId, at],
      );
    },

    async country(accountId: string): Promise<string | undefined> {
      const [row] = await db.query<{ country: string | null }>('select country from accounts where id = $1', [accountId]);
      return row?.country ?? undefined;
    },

    async numbers(accountId: string) {
      return db.query<{ id: string; display_phone_number: string }>(
        'select id, display_phone_number from whatsapp_numbers where account_id = $1 order by connected_at, id',
        [accountId],
      );
    },
  };
}
export type AutomationStore = ReturnType<typeof createAutomationStore>;
