import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BroadcastStatus, CONSENT_SOURCES, EXCLUSION_REASONS, TEMPLATE_REFUSALS } from '../../../contract/broadcasts';
import { ERROR_CODES } from '../../../contract/error-codes';
import { KommoChannelView } from '../../../contract/kommo-channel';
import { CapabilityName, LicenceStatus, PlanId } from '../../../contract/licence';
import { HistoryWhy, OrderAction, OrderViewStatus } from '../../../contract/orders';
import { Role } from '../../../contract/session';
import { ApiError } from '../api/api-error';
import en from '../../../i18n/en.json';
import es from '../../../i18n/es.json';
import pt from '../../../i18n/pt.json';
import ru from '../../../i18n/ru.json';
import { CLIENT_ERROR_CODES, describeError, describeFields } from './error-sentence';
import { translator, type Strings } from './translate';
import { MESSAGE_KINDS, SYSTEM_NOTICES } from '../components/MessageContent';

const LOCALES: Record<string, Strings> = { en, es, pt, ru };
// The widget project runs in happy-dom (import.meta.url is not a file): vitest runs from the repository root.
const root = process.cwd();

function resolve(tree: Strings, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Strings)[part] : undefined), tree);
}

/** Every value each key built in code from a value can take (the key is written `prefix.*.suffix`). */
const DOMAINS: Record<string, readonly string[]> = {
  'errors.*': [...ERROR_CODES, ...CLIENT_ERROR_CODES],
  'errors.field.*': ['required', 'invalid_type', 'invalid_value', 'unrecognized_keys', 'nul_character', 'invalid', 'unnamed'],
  'errors.field.too_big.*': ['string', 'array', 'number', 'other'],
  'errors.field.too_small.*': ['string', 'array', 'number', 'number_exclusive', 'other'],
  'errors.field.invalid_format.*': ['email', 'url', 'datetime', 'date', 'time', 'other'],
  'app.role.*': Role.options,
  'buy.*': ['action', 'plan', 'currency', 'method'],
  'buy.blocked.*': ['registration_required', 'terms_acceptance_required'],
  'buy.actions.*': OrderAction.options,
  'plans.*.name': PlanId.options,
  'capabilities.*': CapabilityName.options,
  // Every reason the backend's capability decision gives (backend/src/licensing/capabilities.ts).
  'capabilities.off.*': ['consent_withdrawn', 'account_uninstalled', 'licence_expired', 'kommo_plan_required'],
  'licence.state.*': LicenceStatus.shape.state.options,
  'numbers.*': ['phoneNumberId', 'wabaId', 'accessToken'],
  'kommo_channel.state.*': KommoChannelView.shape.state.options,
  'registration.fields.*': ['lastName', 'firstName', 'patronymic', 'email', 'phone', 'city'],
  'orders.kind.*': ['new', 'renewal', 'upgrade'],
  'orders.status.*': OrderViewStatus.options,
  'orders.history.*': ['created', 'payment', 'refund', 'refund_sent', 'credit', 'activated', 'terminated', 'expired', 'cancelled'],
  'orders.why.*': HistoryWhy.options,
  'claims.status.*': ['open', 'upheld', 'rejected'],
  'chat.status.*': ['received', 'queued', 'sent', 'delivered', 'read', 'failed'],
  // WhatsApp's inbound message types (reference/whatsapp-cloud-api.md), and what the inbox stores for others.
  'chat.kinds.*': [
    ...new Set([
      'image',
      'video',
      'audio',
      'document',
      'sticker',
      'reaction',
      'interactive',
      'button',
      'location',
      'contacts',
      'order',
      'system',
      'unknown',
      'unsupported',
      ...MESSAGE_KINDS,
    ]),
  ],
  'chat.system.*': SYSTEM_NOTICES,
  'chat.quote.*': ['in', 'out'],
  'broadcasts.kind.*': ['leads', 'contacts'],
  'broadcasts.template_refusal.*': TEMPLATE_REFUSALS,
  'broadcasts.unsubscribe_by.*': ['button', 'line'],
  'broadcasts.unsubscribe_note.*': ['button', 'line'],
  'broadcasts.header_format.*': ['image', 'video', 'document'],
  'broadcasts.missing.*': ['name', 'numbers', 'template', 'parameters', 'header_media', 'consent', 'consent_refused'],
  'broadcasts.field.*': ['name', 'first_name', 'last_name', 'lead_name', 'phone', 'fixed', 'custom'],
  'broadcasts.consent_source.*': CONSENT_SOURCES,
  'broadcasts.exclusion.*': EXCLUSION_REASONS,
  'broadcasts.status.*': BroadcastStatus.options,
  // The engine pauses by the user, on Meta's refusals, and with the capability decision's reason.
  'broadcasts.pause_reason.*': [
    'by_user',
    'template_paused',
    'failure_spike',
    'allowance_exhausted',
    'number_token_invalid',
    'licence_expired',
    'kommo_plan_required',
    'consent_withdrawn',
    'account_uninstalled',
  ],
  'broadcasts.count.*': ['queued', 'sent', 'delivered', 'read', 'failed', 'replied', 'optedOut', 'cancelled'],
  // Why a voice note could not be recorded or prepared (voice-recorder-model's problem).
  'chat.voice.*': ['unsupported', 'denied', 'failed'],
  // A quick reply is the account's or the user's own (contract/quick-replies.ts).
  'quick_replies.scope.*': ['personal', 'account'],
  // The automation form's text fields, by name.
  'automations.*': ['name', 'template', 'language'],
};

async function sources(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    if (entry.isDirectory()) found.push(...(await sources(join(dir, entry.name))));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.includes('.test.')) found.push(await readFile(join(root, dir, entry.name), 'utf8'));
  }
  return found;
}

describe('errors in the user’s language', () => {
  it('when the backend can answer an error code, then every locale has a sentence for it', () => {
    for (const [locale, strings] of Object.entries(LOCALES)) {
      for (const code of [...ERROR_CODES, ...CLIENT_ERROR_CODES]) expect(typeof resolve(strings, `errors.${code}`), `${locale}: errors.${code}`).toBe('string');
    }
  });

  it('when the widget builds a key from a value, then the key exists in every locale for every value it can take', async () => {
    const code = (await sources('widget/app')).join('\n');
    const built = new Set([...code.matchAll(/\bt\(\s*`([a-z0-9_.]*)\$\{[^`]*?\}([a-z0-9_.]*)`/g)].map((m) => `${m[1]}*${m[2]}`));
    expect(built.size).toBeGreaterThan(10);
    for (const pattern of built) expect(DOMAINS[pattern], `no list of values for the built key ${pattern}`).toBeDefined();
    for (const [pattern, values] of Object.entries(DOMAINS)) {
      for (const value of values) {
        const key = pattern.replace('*', value);
        for (const [locale, strings] of Object.entries(LOCALES)) expect(typeof resolve(strings, key), `${locale}: ${key}`).toBe('string');
      }
    }
  });

  it('when a field is too long, not an email or missing, then the sentence is in the locale and names the field by its label', () => {
    const refused = new ApiError('invalid_request', 'The request body is not valid: body.lastName, body.email, body.city.', 400, [
      { path: 'body.lastName', message: 'Too big: expected string to have <=100 characters', problem: 'too_big', limit: 100, origin: 'string' },
      { path: 'body.email', message: 'must be an email address', problem: 'invalid_format', format: 'email' },
      { path: 'body.city', message: 'Invalid input: expected string, received undefined', problem: 'invalid_type', missing: true },
    ]);
    const labels = { lastName: 'registration.fields.lastName', email: 'registration.fields.email', city: 'registration.fields.city' };
    const t = translator(es);
    expect(describeError(refused, t, labels)).toBe(
      'Apellido: como máximo 100 caracteres. Correo electrónico debe ser una dirección de correo electrónico. Ciudad: este campo es obligatorio.',
    );
    expect(describeFields(refused, translator(ru), labels)).toEqual({
      lastName: 'Фамилия: не больше 100 символов.',
      email: 'Эл. почта: нужен адрес электронной почты.',
      city: 'Город: обязательное поле.',
    });
  });

  it('when a field in a list is at fault, then its label says which one', () => {
    const refused = new ApiError('invalid_request', 'The request body is not valid: body.parameters.1.value.', 400, [
      { path: 'body.parameters.1.value', message: 'Too small: expected string to have >=1 characters', problem: 'too_small', limit: 1, origin: 'string' },
    ]);
    expect(describeError(refused, translator(pt), { 'parameters.*.value': 'broadcasts.fixed_value' })).toBe(
      `${translator(pt)('broadcasts.fixed_value', { n: 2 })}: este campo é obrigatório.`,
    );
  });

  it('when an error has a code, then its sentence is the locale’s with the figures the backend sent, never the English message', () => {
    const t = translator(ru);
    expect(describeError(new ApiError('forbidden_words', 'The template “x” contains forbidden words: casino.', 422, [], { words: 'casino' }), t)).toBe(
      'Запрещённые слова: casino. Замените их или выберите другой шаблон.',
    );
    expect(describeError(new ApiError('brand_new_code', 'Something new.', 409), t)).toBe(ru.errors.unknown);
    expect(describeError(new TypeError('Failed to fetch'), t)).toBe(ru.errors.unknown);
  });
});
