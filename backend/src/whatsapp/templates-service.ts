import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { AppError, badRequest } from '../http/app-error';
import type { Db } from '../store/db';
import type { CloudApi } from './cloud-api';
import { oneNumberPerWaba } from './number-store';
import type { NumberRow, NumbersService } from './numbers-service';
import { approvedTemplates, replaceTemplates } from './template-store';

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
  if (!t)
    return badRequest('template_unknown', `There is no template “${name}” in ${language} for this number. Refresh the templates if it was just approved.`);
  if (t.status !== 'APPROVED')
    return new AppError('template_not_approved', `The template “${name}” is ${t.status.toLowerCase()} at Meta and cannot be sent.`, 409);
  if (Number(t.param_count) !== params)
    return badRequest(
      'template_parameters',
      `The template “${name}” takes ${t.param_count} parameter${Number(t.param_count) === 1 ? '' : 's'}; ${params} were given.`,
    );
  return undefined;
}

/** The WABA's message templates, kept in step with Meta (on connect, on demand and on a schedule). */
export function createTemplatesService(deps: { db: Db; clock: Clock; logger: Logger; cloud: CloudApi; numbers: NumbersService }) {
  const { db, clock } = deps;

  async function sync(number: NumberRow): Promise<number> {
    const list = await deps.cloud.listTemplates(number.waba_id, deps.numbers.token(number));
    const at = clock.now();
    await db.transaction(async (tx) => {
      await replaceTemplates(
        tx,
        number.account_id,
        number.waba_id,
        list.map((t) => ({ ...t, paramCount: countParams(t.body) })),
        at,
      );
    });
    return list.length;
  }

  return {
    sync,

    /** Every connected number's WABA, once; failures are logged and tried again next round. */
    async syncAll(): Promise<void> {
      const numbers = await oneNumberPerWaba(db);
      for (const n of numbers) await sync(n).catch((err) => deps.logger.warn({ err, wabaId: n.waba_id }, 'template sync failed'));
    },

    /** The approved templates an agent can send from this number. */
    async approved(accountId: string, numberId: string): Promise<TemplateView[]> {
      const number = await deps.numbers.find(accountId, numberId);
      const rows = await approvedTemplates(db, accountId, number.waba_id);
      return rows.map((r) => ({
        name: r.name,
        language: r.language,
        category: r.category,
        body: r.body_text,
        paramCount: Number(r.param_count),
        headerFormat: r.header_format,
      }));
    },
  };
}
export type TemplatesService = ReturnType<typeof createTemplatesService>;
