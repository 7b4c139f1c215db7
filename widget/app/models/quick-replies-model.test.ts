import { describe, expect, it } from 'vitest';
import { pickerEntries, pickerQuery } from './quick-replies-model';

const reply = (shortcut: string, text: string, scope: 'account' | 'personal' = 'personal') => ({
  id: shortcut,
  shortcut,
  text,
  scope,
  editable: true,
  updatedAt: '2026-11-21T10:00:00.000Z',
});
const template = (name: string) => ({ name, language: 'en_US', category: 'UTILITY', status: 'APPROVED', body: 'Hi {{1}}', paramCount: 1 }) as never;

describe('the composer\'s "/" picker', () => {
  it('when the composer holds "/" and one word, then that word is the search; anything else is not a search', () => {
    expect(pickerQuery('/')).toBe('');
    expect(pickerQuery('/Ship')).toBe('ship');
    expect(pickerQuery('/ship now')).toBeNull();
    expect(pickerQuery('a /ship')).toBeNull();
  });

  it('when the agent types a word, then replies whose shortcut starts with it come first, then those whose text has it, then templates named like it', () => {
    const replies = [reply('hours', 'We open at 9, ship at noon'), reply('ship', 'It ships today', 'account'), reply('thanks', 'Thank you')];
    const entries = pickerEntries('ship', replies, [template('shipping_update'), template('order_ready')]);
    expect(entries.map((e) => (e.kind === 'reply' ? `/${e.reply.shortcut}` : e.template.name))).toEqual(['/ship', '/hours', 'shipping_update']);
  });

  it('when nothing is typed after "/", then every reply and template is offered, at most eight lines', () => {
    const replies = Array.from({ length: 6 }, (_, i) => reply(`r${i}`, 'x'));
    const entries = pickerEntries('', replies, [template('a'), template('b'), template('c')]);
    expect(entries).toHaveLength(8);
    expect(entries.filter((e) => e.kind === 'template')).toHaveLength(2);
  });
});
