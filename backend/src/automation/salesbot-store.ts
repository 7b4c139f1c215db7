import type { Clock } from '../clock';
import type { Db, Queryable } from '../store/db';
import { durableQueue } from '../store/durable-queue';
import type { SalesbotOutcome } from './salesbot-rules';

/** The SQL of Salesbot steps: one row per `widget_request` (its continue point), sent once, continued once. */

export interface SalesbotRun {
  id: string;
  account_id: string;
  bot_id: string;
  continue_id: string;
  lead_id: string | null;
  contact_id: string | null;
  template: string;
  language: string;
  parameters: string[] | string;
  number_id: string | null;
  outcome: string | null;
  detail: string | null;
  attempts: number;
}

export const salesbotStore = {
  /**
   * Records a step: 'opened'; 'repeat' when Kommo already asked for this continue point (the same
   * request again); 'token_used' when its token already opened another step (decision 035).
   */
  async open(
    db: Queryable,
    run: {
      id: string;
      accountId: string;
      botId: number;
      continueId: string;
      leadId: number | null;
      contactId: number | null;
      template: string;
      language: string;
      parameters: string[];
      numberId: string | null;
      tokenId: string;
      at: Date;
    },
  ): Promise<'opened' | 'repeat' | 'token_used'> {
    const [row] = await db.query<{ id: string | null; token_used: boolean }>(
      `with opened as (
         insert into salesbot_runs (id, account_id, bot_id, continue_id, lead_id, contact_id, template, language, parameters, number_id, token_id, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $11) on conflict do nothing returning id
       )
       select (select id from opened) as id,
         exists (select 1 from salesbot_runs where account_id = $2 and token_id = $12 and (bot_id <> $3 or continue_id <> $4)) as token_used`,
      [
        run.id,
        run.accountId,
        run.botId,
        run.continueId,
        run.leadId,
        run.contactId,
        run.template,
        run.language,
        JSON.stringify(run.parameters),
        run.numberId,
        run.at,
        run.tokenId,
      ],
    );
    return row?.id ? 'opened' : row?.token_used ? 'token_used' : 'repeat';
  },

  /**
   * Steps to act on, leased for `leaseMs` (the `salesbot_runs` queue): new ones are taken as
   * 'working' (to send), done ones to continue the bot. A step still 'working' when its lease ran out
   * was cut off mid-send (its process died): it is never sent again (it may have gone out) but ends
   * 'failed', and the bot goes on.
   */
  async claimPending(db: Db, clock: Clock, limit: number, leaseMs: number): Promise<SalesbotRun[]> {
    return durableQueue('salesbot_runs', clock).claim<SalesbotRun>(db, { limit, leaseMs });
  },

  /** Kommo refused or did not answer the continue: tried again after the queue's backoff (at most ten times). */
  async continueFailed(db: Queryable, clock: Clock, id: string, error: string): Promise<void> {
    await durableQueue('salesbot_runs', clock).retryLater(db, id, error);
  },

  async finish(db: Queryable, id: string, outcome: SalesbotOutcome, detail: string): Promise<void> {
    await db.query('update salesbot_runs set outcome = $2, detail = $3 where id = $1', [id, outcome, detail]);
  },

  async continued(db: Queryable, id: string, at: Date): Promise<void> {
    await db.query('update salesbot_runs set continued_at = $2 where id = $1', [id, at]);
  },

  /** The active account a Kommo account id belongs to. */
  async account(db: Queryable, kommoAccountId: number): Promise<{ id: string } | undefined> {
    const [row] = await db.query<{ id: string }>(`select id from accounts where kommo_account_id = $1 and status = 'active'`, [kommoAccountId]);
    return row;
  },
};
