import type { Queryable } from '../store/db';
import type { CloudTemplate } from './cloud-api';

/** The WABA's templates become exactly `list` (inside the caller's transaction). */
export async function replaceTemplates(
  tx: Queryable,
  accountId: string,
  wabaId: string,
  list: (CloudTemplate & { paramCount: number })[],
  at: Date,
): Promise<void> {
  await tx.query('delete from whatsapp_templates where account_id = $1 and waba_id = $2', [accountId, wabaId]);
  for (const t of list) {
    await tx.query(
      `insert into whatsapp_templates (account_id, waba_id, name, language, status, category, body_text, param_count, synced_at, header_format, footer_text, buttons, template_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) on conflict do nothing`,
      [
        accountId,
        wabaId,
        t.name,
        t.language,
        t.status,
        t.category ?? null,
        t.body,
        t.paramCount,
        at,
        t.headerFormat ?? null,
        t.footer ?? null,
        JSON.stringify(t.buttons ?? []),
        t.id ?? null,
      ],
    );
  }
}

export function approvedTemplates(db: Queryable, accountId: string, wabaId: string) {
  return db.query<{ name: string; language: string; category: string | null; body_text: string; param_count: number; header_format: string | null }>(
    `select name, language, category, body_text, param_count, header_format from whatsapp_templates where account_id = $1 and waba_id = $2 and status = 'APPROVED' order by name, language`,
    [accountId, wabaId],
  );
}
