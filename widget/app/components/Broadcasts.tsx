import { useEffect, useState } from 'preact/hooks';
import { CONSENT_SOURCES, EXCLUSION_REASONS, FORBIDDEN_CONSENT, type BroadcastView, type ParameterSource } from '../../../contract/broadcasts';
import type { Translate } from '../i18n/translate';
import { formatDate } from '../i18n/format';
import { listed, missingForDryRun, templateKey, type BroadcastsModel } from '../models/broadcasts-model';
import type { LicenceModel } from '../models/licence-model';

const FIELDS = ['name', 'first_name', 'last_name', 'lead_name', 'phone'] as const;
const OUTCOMES = ['read', 'delivered', 'sent', 'failed', 'queued', 'cancelled'] as const;

/** Broadcasts are gated by the Kommo plan and the licence: the reason, when they are off. */
function Gate({ licence, t }: { licence: LicenceModel; t: Translate }) {
  const decision = licence.status.value?.capabilities.broadcasts;
  if (!decision || decision.allowed) return null;
  return (
    <p class="wb-warning" role="alert" data-testid="broadcasts-disabled" data-code={decision.code}>
      {t('broadcasts.disabled')} {t(`capabilities.off.${decision.code}`, { plan: licence.status.value?.kommoPlan.name ?? t('capabilities.unknown_plan') })}
    </p>
  );
}

function ErrorLine({ model }: { model: BroadcastsModel }) {
  const error = model.error.value;
  return error ? (
    <p class="wb-error" role="alert" data-testid="broadcast-error" data-code={error.code}>
      {error.message}
    </p>
  ) : null;
}

/** Who a broadcast goes to: the rows selected in a Kommo list, or a saved audience. */
export type AudienceChoice = { kind: 'selection'; selected: { id: number; type: string }[] } | { kind: 'saved'; id: string; name: string; size: number };

/** Compose a broadcast (from a Kommo list's bulk action, or to a saved audience), see the dry run, launch, follow it. */
export function BroadcastComposer({
  model,
  licence,
  audience,
  t,
  language,
}: {
  model: BroadcastsModel;
  licence: LicenceModel;
  audience: AudienceChoice;
  t: Translate;
  language: string;
}) {
  useEffect(() => {
    void model.prepare(t('broadcasts.default_name', { date: formatDate(new Date().toISOString(), language) }));
    return model.live();
  }, [model]);
  const allowed = licence.status.value?.capabilities.broadcasts.allowed;
  const current = model.current.value;
  if (licence.status.value && !allowed) return <Gate licence={licence} t={t} />;
  if (current && current.status !== 'draft') return <BroadcastPage model={model} t={t} language={language} />;
  if (current?.dryRun) return <DryRunSummary model={model} t={t} />;
  if (audience.kind === 'selection' && !audience.selected.length) return <p class="wb-muted">{t('broadcasts.select_first')}</p>;
  if (!model.numbers.value.length)
    return (
      <p class="wb-muted" data-testid="broadcast-no-number">
        {t('chat.no_number')}
      </p>
    );

  const d = model.draft.value;
  const template = model.selectedTemplate();
  const target =
    audience.kind === 'saved'
      ? { input: { savedAudienceId: audience.id }, title: t('broadcasts.compose_saved', { name: audience.name, count: audience.size }) }
      : (() => {
          const source = audience.selected[0]!.type === 'contact' ? ('contacts' as const) : ('leads' as const);
          return {
            input: { source, ids: audience.selected.map((s) => s.id) },
            title: t('broadcasts.compose_title', { count: audience.selected.length, kind: t(`broadcasts.kind.${source}`) }),
          };
        })();
  const header = template?.headerFormat && template.headerFormat !== 'TEXT';
  const missing = missingForDryRun(d, template);
  // Those that can carry a broadcast first, whatever order they came in; the others stay visible, with why not.
  const templates = [...model.templates.value.filter((x) => x.qualifies), ...model.templates.value.filter((x) => !x.qualifies)];
  const preview = template ? template.body.replace(/\{\{(\d+)\}\}/g, (_, n: string) => describe(d.parameters[Number(n) - 1], t)) : '';

  return (
    <form
      class="wb-broadcast-form"
      data-testid="broadcast-composer"
      onSubmit={(e) => {
        e.preventDefault();
        void model.dryRun(target.input);
      }}
    >
      <h2>{target.title}</h2>
      <label>
        {t('broadcasts.name')}
        <input value={d.name} maxLength={120} required onInput={(e) => model.edit({ name: (e.target as HTMLInputElement).value })} />
      </label>
      <fieldset>
        <legend>{t('broadcasts.numbers')}</legend>
        {model.numbers.value.map((n) => (
          <label key={n.id} class="wb-inline">
            <input
              type="checkbox"
              checked={d.numberIds.includes(n.id)}
              onChange={(e) =>
                model.edit({ numberIds: (e.target as HTMLInputElement).checked ? [...d.numberIds, n.id] : d.numberIds.filter((x) => x !== n.id) })
              }
            />
            {n.displayPhoneNumber}
          </label>
        ))}
      </fieldset>
      <label>
        {t('broadcasts.template')}
        <select data-testid="broadcast-template" value={d.templateKey} onChange={(e) => model.edit({ templateKey: (e.target as HTMLSelectElement).value })}>
          <option value="">{t('broadcasts.choose_template')}</option>
          {templates.map((tpl) => (
            <option key={templateKey(tpl)} value={templateKey(tpl)} disabled={!tpl.qualifies} data-reason={tpl.refusal?.reason}>
              {tpl.name} ({tpl.language}) ·{' '}
              {tpl.refusal
                ? t(`broadcasts.template_refusal.${tpl.refusal.reason}`, { words: tpl.refusal.words.join(', ') })
                : tpl.unsubscribe && t(`broadcasts.unsubscribe_by.${tpl.unsubscribe}`)}
            </option>
          ))}
        </select>
      </label>
      {templates.length > 0 && !templates[0]!.qualifies && (
        <p class="wb-warning" data-testid="no-qualifying-template">
          {t('broadcasts.no_qualifying')}
        </p>
      )}
      {d.parameters.map((p, i) => (
        <div class="wb-param" key={i} data-testid={`broadcast-param-${i + 1}`}>
          <label>
            {t('broadcasts.parameter', { n: i + 1 })}
            <select
              value={'field' in p ? (p.field.startsWith('cf:') ? 'custom' : p.field) : 'fixed'}
              onChange={(e) => {
                const v = (e.target as HTMLSelectElement).value;
                model.setParameter(i, v === 'fixed' ? { value: '' } : v === 'custom' ? { field: 'cf:' } : ({ field: v } as ParameterSource));
              }}
            >
              {FIELDS.map((f) => (
                <option key={f} value={f}>
                  {t(`broadcasts.field.${f}`)}
                </option>
              ))}
              <option value="custom">{t('broadcasts.field.custom')}</option>
              <option value="fixed">{t('broadcasts.field.fixed')}</option>
            </select>
          </label>
          {'field' in p && p.field.startsWith('cf:') && (
            <input
              aria-label={t('broadcasts.custom_field_id', { n: i + 1 })}
              inputMode="numeric"
              placeholder={t('broadcasts.custom_field_id', { n: i + 1 })}
              value={p.field.slice(3)}
              onInput={(e) => model.setParameter(i, { field: `cf:${(e.target as HTMLInputElement).value.replace(/\D/g, '')}` })}
            />
          )}
          {'value' in p && (
            <input
              aria-label={t('broadcasts.fixed_value', { n: i + 1 })}
              value={p.value}
              maxLength={1024}
              onInput={(e) => model.setParameter(i, { value: (e.target as HTMLInputElement).value })}
            />
          )}
        </div>
      ))}
      {header && (
        <label>
          {t('broadcasts.header_media', { format: t(`broadcasts.header_format.${template!.headerFormat!.toLowerCase()}`) })}
          <input
            type="url"
            placeholder="https://"
            value={d.headerMediaUrl}
            onInput={(e) => model.edit({ headerMediaUrl: (e.target as HTMLInputElement).value })}
          />
        </label>
      )}
      {template && (
        <div class="wb-preview" data-testid="broadcast-template-preview">
          <p>{preview}</p>
          {/* Said of this template only: the way it carries, never a promise it cannot keep. */}
          {template.unsubscribe && (
            <p class="wb-muted" data-testid="unsubscribe-note" data-unsubscribe={template.unsubscribe}>
              {t(`broadcasts.unsubscribe_note.${template.unsubscribe}`)}
            </p>
          )}
        </div>
      )}
      <label>
        {t('broadcasts.consent')}
        <select
          data-testid="broadcast-consent"
          value={d.consentSource}
          onChange={(e) => model.edit({ consentSource: (e.target as HTMLSelectElement).value as typeof d.consentSource })}
        >
          <option value="">{t('broadcasts.choose_consent')}</option>
          {CONSENT_SOURCES.map((c) => (
            <option key={c} value={c}>
              {t(`broadcasts.consent_source.${c}`)}
            </option>
          ))}
        </select>
      </label>
      <p class={FORBIDDEN_CONSENT.has(d.consentSource) ? 'wb-error' : 'wb-muted'} data-testid="consent-rule">
        {t('broadcasts.consent_rule')}
      </p>
      <details>
        <summary>{t('broadcasts.when')}</summary>
        <label>
          {t('broadcasts.schedule')}
          <input type="datetime-local" value={d.scheduledAt} onInput={(e) => model.edit({ scheduledAt: (e.target as HTMLInputElement).value })} />
        </label>
        <label class="wb-inline">
          {t('broadcasts.quiet_from')}
          <input type="time" value={d.quietFrom} onInput={(e) => model.edit({ quietFrom: (e.target as HTMLInputElement).value })} />
        </label>
        <label class="wb-inline">
          {t('broadcasts.quiet_to')}
          <input type="time" value={d.quietTo} onInput={(e) => model.edit({ quietTo: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          {t('broadcasts.save_audience')}
          <input value={d.saveAudienceAs} maxLength={120} onInput={(e) => model.edit({ saveAudienceAs: (e.target as HTMLInputElement).value })} />
        </label>
      </details>
      <ErrorLine model={model} />
      <button
        type="submit"
        class="wb-primary"
        disabled={missing.length > 0 || model.busy.value}
        aria-describedby={missing.length ? 'wb-dry-run-missing' : undefined}
        data-testid="broadcast-dry-run"
      >
        {model.busy.value ? t('broadcasts.reading_audience') : t('broadcasts.dry_run')}
      </button>
      {missing.length > 0 && (
        <p class="wb-muted" id="wb-dry-run-missing" data-testid="dry-run-missing" data-missing={missing.join(' ')}>
          {t('broadcasts.missing.intro', {
            items: missing
              .map((m) => t(`broadcasts.missing.${m}`, { format: t(`broadcasts.header_format.${template?.headerFormat?.toLowerCase() ?? 'image'}`) }))
              .join('; '),
          })}
        </p>
      )}
    </form>
  );
}

function describe(p: ParameterSource | undefined, t: Translate): string {
  if (!p) return '…';
  if ('value' in p) return p.value || '…';
  return p.field.startsWith('cf:') ? `[${t('broadcasts.field.custom')} ${p.field.slice(3)}]` : `[${t(`broadcasts.field.${p.field}`)}]`;
}

function duration(seconds: number, t: Translate): string {
  if (seconds < 90) return t('broadcasts.duration.seconds', { n: seconds });
  if (seconds < 5400) return t('broadcasts.duration.minutes', { n: Math.round(seconds / 60) });
  if (seconds < 172_800) return t('broadcasts.duration.hours', { n: Math.round(seconds / 3600) });
  return t('broadcasts.duration.days', { n: Math.round(seconds / 86_400) });
}

/** What launching would do, in numbers; the launch button repeats the count it will send. */
function DryRunSummary({ model, t }: { model: BroadcastsModel; t: Translate }) {
  const b = model.current.value!;
  const dry = b.dryRun!;
  return (
    <section class="wb-dry-run" data-testid="broadcast-dry-run-summary">
      <h2>{t('broadcasts.dry_run_title', { name: b.name })}</h2>
      <dl class="wb-figures">
        <dt>{t('broadcasts.selected')}</dt>
        <dd data-testid="dry-selected">{dry.selected}</dd>
        <dt>{t('broadcasts.phones')}</dt>
        <dd>{dry.phones}</dd>
        <dt>{t('broadcasts.merged')}</dt>
        <dd data-testid="dry-merged">{dry.merged}</dd>
        <dt>{t('broadcasts.recipients')}</dt>
        <dd data-testid="dry-recipients">{dry.recipients}</dd>
      </dl>
      <h3>{t('broadcasts.exclusions')}</h3>
      <ul data-testid="dry-exclusions">
        {EXCLUSION_REASONS.map((r) => (
          <li key={r} data-reason={r}>
            {t(`broadcasts.exclusion.${r}`)}: <strong>{dry.exclusions[r]}</strong>
          </li>
        ))}
      </ul>
      <p data-testid="dry-allowance">{t('broadcasts.needed_vs_left', { needed: dry.messagesNeeded, left: dry.allowanceLeft })}</p>
      <p>{t('broadcasts.estimate', { duration: duration(dry.estimatedSeconds, t) })}</p>
      <h3>{t('broadcasts.preview')}</h3>
      <ul class="wb-preview" data-testid="dry-preview">
        {dry.preview.map((p) => (
          <li key={p.phone}>
            <strong>{p.name ?? p.phone}</strong> · {p.phone}
            <p>{p.text}</p>
          </li>
        ))}
      </ul>
      <ErrorLine model={model} />
      <div class="wb-actions">
        <button
          type="button"
          class="wb-primary"
          disabled={model.busy.value || dry.recipients === 0}
          data-testid="broadcast-launch"
          onClick={() => void model.launch()}
        >
          {t(b.scheduledAt ? 'broadcasts.schedule_to' : 'broadcasts.launch_to', { count: dry.recipients })}
        </button>
        <button type="button" disabled={model.busy.value} onClick={() => void model.act('cancel').then(() => model.close())}>
          {t('broadcasts.discard')}
        </button>
      </div>
    </section>
  );
}

/** One broadcast: live progress, counts, the outcome chart, failures by reason, and the controls. */
export function BroadcastPage({ model, t, language }: { model: BroadcastsModel; t: Translate; language: string }) {
  const b = model.current.value!;
  const c = b.counts;
  return (
    <section class="wb-broadcast" data-testid="broadcast-page" data-status={b.status}>
      <h2>{b.name}</h2>
      <p data-testid="broadcast-status">
        {t(`broadcasts.status.${b.status}`)}
        {b.scheduledAt && b.status === 'scheduled' ? ` · ${formatDate(b.scheduledAt, language)}` : ''}
      </p>
      {b.pause && (
        <p class="wb-warning" data-testid="broadcast-pause" data-reason={b.pause.reason}>
          {t(`broadcasts.pause_reason.${b.pause.reason}`) === `broadcasts.pause_reason.${b.pause.reason}`
            ? b.pause.reason
            : t(`broadcasts.pause_reason.${b.pause.reason}`)}{' '}
          {b.pause.detail}
        </p>
      )}
      <div class="wb-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={b.progress} data-testid="broadcast-progress">
        <div style={{ width: `${b.progress}%` }} />
      </div>
      <p data-testid="broadcast-progress-text">{t('broadcasts.progress', { percent: b.progress, done: c.sent + c.failed + c.cancelled, total: c.total })}</p>
      <dl class="wb-figures" data-testid="broadcast-counts">
        {(['queued', 'sent', 'delivered', 'read', 'failed', 'replied', 'optedOut'] as const).map((k) => (
          <div key={k} data-count={k}>
            <dt>{t(`broadcasts.count.${k}`)}</dt>
            <dd>{c[k]}</dd>
          </div>
        ))}
      </dl>
      <OutcomeChart b={b} t={t} />
      {b.failures.length > 0 && (
        <>
          <h3>{t('broadcasts.failures')}</h3>
          <ul data-testid="broadcast-failures">
            {b.failures.map((f) => (
              <li key={f.code}>
                {f.title} ({t('broadcasts.code', { code: f.code })}): <strong>{f.count}</strong> ·{' '}
                {t(f.retryable ? 'broadcasts.retryable' : 'broadcasts.final')}
              </li>
            ))}
          </ul>
        </>
      )}
      <ErrorLine model={model} />
      <div class="wb-actions">
        {(b.status === 'running' || b.status === 'scheduled') && (
          <button type="button" data-testid="broadcast-pause-button" disabled={model.busy.value} onClick={() => void model.act('pause')}>
            {t('broadcasts.pause')}
          </button>
        )}
        {b.status === 'paused' && (
          <button type="button" data-testid="broadcast-resume" disabled={model.busy.value} onClick={() => void model.act('resume')}>
            {t('broadcasts.resume')}
          </button>
        )}
        {['running', 'scheduled', 'paused'].includes(b.status) && (
          <button type="button" data-testid="broadcast-cancel" disabled={model.busy.value} onClick={() => void model.act('cancel')}>
            {t('broadcasts.cancel')}
          </button>
        )}
        {b.status !== 'draft' && (
          <>
            <button type="button" data-testid="broadcast-report" disabled={model.busy.value} onClick={() => void downloadReport(model, 'csv')}>
              {t('broadcasts.report')}
            </button>
            <button type="button" data-testid="broadcast-report-xlsx" disabled={model.busy.value} onClick={() => void downloadReport(model, 'xlsx')}>
              {t('broadcasts.report_xlsx')}
            </button>
          </>
        )}
        {b.failures.some((f) => f.retryable) && b.status !== 'cancelled' && (
          <button type="button" data-testid="broadcast-retry" disabled={model.busy.value} onClick={() => void model.act('retry-failed')}>
            {t('broadcasts.retry_failed')}
          </button>
        )}
      </div>
    </section>
  );
}

/** Saves the broadcast's report as a file (CSV or XLSX) in the browser's downloads. */
async function downloadReport(model: BroadcastsModel, format: 'csv' | 'xlsx') {
  const report = await model.report(format);
  if (!report) return;
  const url = URL.createObjectURL(report.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = report.fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The outcome as one stacked bar: read, delivered, sent, failed, waiting, cancelled. */
function OutcomeChart({ b, t }: { b: BroadcastView; t: Translate }) {
  const c = b.counts;
  const parts: Record<(typeof OUTCOMES)[number], number> = {
    read: c.read,
    delivered: c.delivered - c.read,
    sent: c.sent - c.delivered,
    failed: c.failed,
    queued: c.queued,
    cancelled: c.cancelled,
  };
  const total = Math.max(1, c.total);
  let x = 0;
  return (
    <figure class="wb-chart" data-testid="broadcast-chart">
      <svg viewBox="0 0 100 8" width="100%" height="24" role="img" aria-label={t('broadcasts.chart')}>
        {OUTCOMES.map((k) => {
          const w = (100 * parts[k]) / total;
          const rect = <rect key={k} class={`wb-outcome-${k}`} x={x} y={0} width={w} height={8} />;
          x += w;
          return rect;
        })}
      </svg>
      <figcaption>
        {OUTCOMES.filter((k) => parts[k] > 0).map((k) => (
          <span key={k} class={`wb-legend wb-outcome-${k}`}>
            {t(`broadcasts.count.${k}`)} {parts[k]}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Every broadcast of the account, newest first; one opens its page. */
export function BroadcastsList({ model, licence, t, language }: { model: BroadcastsModel; licence: LicenceModel; t: Translate; language: string }) {
  const [saved, setSaved] = useState<AudienceChoice | null>(null);
  useEffect(() => {
    void model.loadList();
    return model.live();
  }, [model]);
  if (saved && (!model.current.value || model.current.value.status === 'draft')) {
    return (
      <section>
        <button type="button" class="wb-link" onClick={() => (model.close(), setSaved(null))}>
          ← {t('broadcasts.all')}
        </button>
        <BroadcastComposer model={model} licence={licence} audience={saved} t={t} language={language} />
      </section>
    );
  }
  if (model.current.value && model.current.value.status !== 'draft') {
    return (
      <section>
        <button type="button" class="wb-link" onClick={() => (model.close(), setSaved(null), void model.loadList())}>
          ← {t('broadcasts.all')}
        </button>
        <BroadcastPage model={model} t={t} language={language} />
      </section>
    );
  }
  const shown = model.list.value && listed(model.list.value);
  return (
    <section class="wb-broadcasts" data-testid="broadcasts-list">
      <h2>{t('broadcasts.title')}</h2>
      <Gate licence={licence} t={t} />
      {shown?.length === 0 && (
        <p class="wb-muted" data-testid="broadcasts-none">
          {t('broadcasts.none')}
        </p>
      )}
      {model.audiences.value.length > 0 && licence.status.value?.capabilities.broadcasts.allowed && (
        <p data-testid="saved-audiences">
          {t('broadcasts.saved_audiences')}{' '}
          {model.audiences.value.map((a) => (
            <button key={a.id} type="button" class="wb-link" onClick={() => setSaved({ kind: 'saved', id: a.id, name: a.name, size: a.size })}>
              {a.name} ({a.size})
            </button>
          ))}
        </p>
      )}
      <ul>
        {(shown ?? []).map((b) => (
          <li key={b.id} data-testid="broadcast-row">
            <button type="button" class="wb-link" onClick={() => void model.open(b.id)}>
              {b.name}
            </button>{' '}
            · {t(`broadcasts.status.${b.status}`)} · {b.progress}% · {formatDate(b.createdAt, language)}
          </li>
        ))}
      </ul>
    </section>
  );
}
