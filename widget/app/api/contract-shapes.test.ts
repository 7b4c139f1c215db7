import { describe, expect, it } from 'vitest';
import { MeResponse } from '../../../contract/account';
import { HostMessage } from '../../../contract/host-messages';
import { me } from '../../test/api-mock';
import { HostMessageShape, MeShape } from './contract-shapes';
import { tryCheck, type Check } from './shape';

const session = { token: 'tok', expiresAt: '2026-11-30T03:00:00.000Z', accountId: 'acc_1', userId: 8100001, role: 'agent' };
const context = {
  area: 'card',
  entity: 'leads',
  entityId: 42,
  contacts: [{ id: 7, name: 'Maria', phones: ['+34 600 000 001'] }],
  selected: [{ id: 42, type: 'leads' }],
  user: { id: 8100001, name: 'Dana' },
  language: 'es',
  kommoPlan: null,
};

type Json = Record<string, unknown>;
/** `base` with the value at `path` replaced (or removed, for `undefined`). */
function changed(base: Json, path: string, value: unknown): Json {
  const copy = structuredClone(base);
  const parts = path.split('.');
  let node = copy as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  if (value === undefined) delete node[parts.at(-1)!];
  else node[parts.at(-1)!] = value;
  return copy;
}

/** The shape and the zod schema agree on each value: both refuse it, or both give the same value. */
function agree(shape: Check<unknown>, schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }, values: unknown[]) {
  for (const value of values) {
    const zod = schema.safeParse(value);
    expect({ value, result: tryCheck(shape, value) }).toEqual({ value, result: zod.success ? zod.data : undefined });
  }
}

describe('the contract shapes the card checks with', () => {
  it('when the loader posts a message, then the shape accepts and refuses exactly what HostMessage does, and keeps only its fields', () => {
    const contextMessage = { type: 'wabridge:context', context, session, extra: 'dropped' };
    const values: unknown[] = [
      contextMessage,
      { type: 'wabridge:session', session },
      { type: 'wabridge:session-error', error: { code: 'x', message: 'y' } },
      changed(contextMessage, 'context.selected', undefined),
      changed(contextMessage, 'context.entity', null),
      changed(contextMessage, 'context.entity', 'tasks'),
      changed(contextMessage, 'context.entityId', 4.5),
      changed(contextMessage, 'context.area', 'popup'),
      changed(contextMessage, 'context.contacts', [{ id: 7, name: 'Maria', phones: [5] }]),
      changed(contextMessage, 'context.user', undefined),
      changed(contextMessage, 'context.kommoPlan', 'Advanced'),
      changed(contextMessage, 'session.role', 'owner'),
      changed(contextMessage, 'session.expiresAt', 'tomorrow'),
      changed(contextMessage, 'session.expiresAt', '2026-11-30T03:00:00+02:00'),
      changed(contextMessage, 'session.userId', '8100001'),
      changed(contextMessage, 'type', 'wabridge:other'),
      // The card's chat the sign-in brought: passed on when it is a card-chat answer at all.
      { ...contextMessage, cardChat: { numbers: [], conversations: [], refused: [], page: null } },
      { ...contextMessage, cardChat: { numbers: [], conversations: [], refused: [], page: { messages: [], nextBefore: null } } },
      { ...contextMessage, cardChat: { numbers: [], conversations: [], refused: [] } },
      { ...contextMessage, cardChat: { numbers: [], conversations: 'none', refused: [], page: null } },
      { ...contextMessage, cardChat: [] },
      // What the chat could not draw (another script on Kommo's page may post): refused whole.
      { ...contextMessage, cardChat: { numbers: [1], conversations: [null], refused: ['x'], page: { messages: [null] } } },
      { ...contextMessage, cardChat: { numbers: [], conversations: [], refused: [], page: { messages: [{ id: 'm1' }] } } },
      { ...contextMessage, cardChat: { numbers: [], conversations: [], refused: [{ phone: 'x' }], page: null } },
      {
        ...contextMessage,
        cardChat: { numbers: [], conversations: [], refused: [{ phone: 'x', error: { code: 'invalid_phone', message: 'Not a phone.' } }], page: null },
      },
      {
        ...contextMessage,
        cardChat: {
          numbers: [{ id: 'n1' }],
          conversations: [{ phone: '+1', conversation: { id: 'c1' } }],
          refused: [],
          page: { messages: [{ id: 'm1', direction: 'in', type: 'text', createdAt: '2026-11-30T03:00:00.000Z', content: {} }], nextBefore: null },
        },
      },
      { ...contextMessage, cardChat: null },
      { type: 'wabridge:context', session: 'nope' },
      { type: 'wabridge:session-error', error: { code: 1, message: 'y' } },
      { type: 'toString' },
      'hello',
      null,
      [],
    ];
    agree(HostMessageShape, HostMessage, values);
    expect(tryCheck(HostMessageShape, changed(contextMessage, 'context.selected', undefined))).toMatchObject({ context: { selected: [] } });
    expect(tryCheck(HostMessageShape, contextMessage)).not.toHaveProperty('extra');
  });

  it('when /me answers, then the shape accepts and refuses exactly what MeResponse does', () => {
    const base = me as unknown as Json;
    agree(MeShape, MeResponse, [
      base,
      changed(base, 'account.name', null),
      changed(base, 'account.installedBy', null),
      changed(base, 'account.kommoPlan', null),
      changed(base, 'account.status', 'deleted'),
      changed(base, 'account.kommoAccountId', '1'),
      changed(base, 'account.installedAt', '2026-11-20'),
      changed(base, 'account.timezone', undefined),
      changed(base, 'user.enabled', 'yes'),
      changed(base, 'user.role', 'owner'),
      changed(base, 'user', undefined),
      { error: { code: 'x' } },
      '<html>',
    ]);
  });
});
