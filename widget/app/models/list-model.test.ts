import { describe, expect, it } from 'vitest';
import type { FieldLabels } from '../i18n/error-sentence';
import { createListModel } from './list-model';

const LABELS = { url: 'developers.webhook_url' };

/** A list model whose fetch counts its calls and fails while `down` is set. */
function listOf() {
  const calls = { fetch: 0, down: false, labels: [] as (FieldLabels | undefined)[] };
  const model = createListModel({
    describe: (err, labels) => {
      calls.labels.push(labels);
      return `said: ${(err as Error).message}`;
    },
    labels: LABELS,
    fetch: async () => {
      calls.fetch += 1;
      if (calls.down) throw new Error('list unreachable');
    },
  });
  return { model, calls };
}

describe('an admin list model', () => {
  it('when loading fails, then the error is the sentence for it, said with the form’s labels', async () => {
    const { model, calls } = listOf();
    calls.down = true;
    await model.load();
    expect(model.error.value).toBe('said: list unreachable');
    expect(calls.labels).toEqual([LABELS]);
  });

  it('when a change goes through, then it answers true, the earlier error is gone, the list is fetched again and busy is over', async () => {
    const { model, calls } = listOf();
    model.error.value = 'an earlier refusal';
    let busyDuring = false;
    const ok = await model.act(async () => {
      busyDuring = model.busy.value;
    });
    expect(ok).toBe(true);
    expect(busyDuring).toBe(true);
    expect(model.busy.value).toBe(false);
    expect(model.error.value).toBeNull();
    expect(calls.fetch).toBe(1);
  });

  it('when a change is refused, then it answers false with the sentence for it, and the list is not fetched again', async () => {
    const { model, calls } = listOf();
    const ok = await model.act(() => Promise.reject(new Error('url taken')));
    expect(ok).toBe(false);
    expect(model.error.value).toBe('said: url taken');
    expect(model.busy.value).toBe(false);
    expect(calls.fetch).toBe(0);
  });

  it('when a change goes through but the list cannot be fetched again, then the error says so', async () => {
    const { model, calls } = listOf();
    calls.down = true;
    expect(await model.act(async () => undefined)).toBe(true);
    expect(model.error.value).toBe('said: list unreachable');
  });

  it('when an action only reads (reload: false), then the list is not fetched again', async () => {
    const { model, calls } = listOf();
    expect(await model.act(async () => undefined, { reload: false })).toBe(true);
    expect(calls.fetch).toBe(0);
  });

  it('when the admin dismisses the error, then it is gone', async () => {
    const { model, calls } = listOf();
    calls.down = true;
    await model.load();
    model.clearError();
    expect(model.error.value).toBeNull();
  });
});
