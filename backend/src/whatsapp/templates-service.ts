import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { AppError, badRequest } from '../http/app-error';
import type { Db } from '../store/db';
import type { CloudApi } from './cloud-api';
import type { NumberRow, NumbersService } from './numbers-service';

export interface TemplateView {
  name: string;
  language: string;
  category: string | null;
  body: string;
  paramCount: number;
  headerFormat: string | null;
}

/** How many {{n}} placeholders the body has (Meta numbers them 1…n). */
export function countParams(body: string): number {
  return Math.max(0, ...[...body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1])));
}

/** What a template send needs to know of the stored template. */
export interface TemplateRow {
  status: string;
  param_count: number;
}

/** Why Meta would refuse to send the template (`t`, as stored; undefined when there is none), or nothing. */
export function templateProblem(t: TemplateRow | null | undefined, name: string, language: string, params: number): AppError | undefined {
  if (!t) return badRequest('template_unknown', `There is no template “${name}” in ${language} for this number. Refresh the templates if it was just approved.`);
  if (t.status !== 'APPROVED') return new AppError('template_not_approved', `The template “${name}” is ${t.status.toLowerCase()} at Meta and cannot be sent.`, 409);
  if (Number(t.param_count) !== params) return badRequest('template_parameters', `The template “${name}” takes ${t.param_count} parameter${Number(t.param_count) === 1 ? '' : 's'}; ${params} were given.`);
  return undefined;
}

/** The WABA's message templates, kept in step with Meta (on connect, on demand and on a schedule). */
export function createTemplatesService(deps: { db: Db; clock: Clock; logger: Logger; cloud: CloudApi; numbers: NumbersService }) {
  const { db, clock } = deps;

  async function sync(number: NumberRow): Promise<number> {
    const list = await deps.cloud.listTemplates(number.waba_id, deps.numbers.token(number));
    const at = clock.now();
    await db.transaction(async (tx) => {
      await tx.query('delete from whatsapp_templates where account_id = $1 and waba_id = $2', [number.account_id, number.waba_id]);
      for (const t of list) {
        await tx.query(
          `insert into whatsapp_templates (account_id, waba_id, name, language, status, category, body_text, param_count, synced_at, header_format, footer_text, buttons, template_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) on conflict do nothing`,
          [number.account_id, number.waba_id, t.name, t.language, t.status, t.category ?? null, t.body, countParams(t.body), at, t.headerFormat ?? null, t.footer ?? null, JSON.stringify(t.buttons ?? []), t.id ?? null],
        );
      }
    });
    return list.length;
  }

  return {
    sync,

    /** Every connected number's WABA, once; failures are logged and tried again next round. */
    async syncAll(): Promise<void> {
      const numbers = await db.query<NumberRow>('select distinct on (account_id, waba_id) * from whatsapp_numbers order by account_id, waba_id, connected_at');
      for (const n of numbers) await sync(n).catch((err) => deps.logger.warn({ err, wabaId: n.waba_id }, 'template sync failed'));
    },

    /** The approved templates an agent can send from this number. */
    async approved(accountId: string, numberId: string): Promise<TemplateView[]> {
      const number = await deps.numbers.find(accountId, numberId);
      const rows = await db.query<{ name: string; language: string; category: string | null; body_text: string; param_count: number; header_format: string | null }>(
        `select name, language, category, body_text, param_count, header_format from whatsapp_templates where account_id = $1 and waba_id = $2 and status = 'APPROVED' order by name, language`,
        [accountId, number.waba_id],
      );
      return rows.map((r) => ({ name: r.name, language: r.language, category: r.category, body: r.body_text, paramCount: Number(r.param_count), headerFormat: r.header_format }));
    },
  };
}
export type TemplatesService = ReturnType<typeof createTemplatesService>;
