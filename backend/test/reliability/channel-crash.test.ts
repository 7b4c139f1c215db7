import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { amojoIdOf } from '../../../fakes/kommo/fake-kommo';
import { DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';
import { backendProcess, bigAudience, freePort, startStand } from './backend-process';

const CUSTOMERS = 30;
const phone = (c: number) => `+55 21 9${String(8000_0000 + c).slice(-8)}`;

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * SPEC §5: Kommo sends its outgoing-message hook once and never again, so what we acknowledged
 * must survive a crash. Managers answer 30 customers in Kommo's chat; the backend is killed with
 * SIGKILL while answers it stored are not sent yet. After the restart every acknowledged answer
 * reaches its customer, none twice; only one cut off in the middle of its send may instead be
 * reported failed in Kommo's chat (never sent twice, never silently lost).
 */
describe('Kommo chat hook crash safety (real process, SIGKILL)', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  });

  it('when the backend is killed between storing Kommo’s hooks and sending them, then after the restart every acknowledged answer reaches its customer once', async () => {
    const port = await freePort();
    const stand = await startStand({ account: bigAudience(1), webhookPort: port, store: {}, channel: true });
    cleanup.push(
      () => stand.close(),
      () => rm(stand.dir, { recursive: true, force: true }),
    );
    const backend = backendProcess({ port, env: stand.env, logFile: join(stand.dir, 'backend.log'), readyWithinMs: 240_000 });
    cleanup.push(() => backend.stop());
    await backend.start();
    const { api, phoneNumberIds } = await stand.prepare(backend.url, 1);
    expect((await api.put('/api/v1/kommo-channel', { enabled: true })).status).toBe(200);
    await until('the channel to connect', async () => (await api.get('/api/v1/kommo-channel')).data.state === 'connected');

    for (let c = 0; c < CUSTOMERS; c++) await stand.cloud.customerWrites(phoneNumberIds[0]!, phone(c), `question ${c}`);
    await until('every customer’s chat in Kommo', () => stand.kommo.amojo.messages.filter((m) => m.direction === 'in').length === CUSTOMERS);
    const conversations = stand.kommo.amojo.messages.filter((m) => m.direction === 'in').map((m) => m.conversationId);

    const manager = { amojoId: amojoIdOf('user', DEMO_ADMIN_ID), name: 'Dana Admin' };
    const sentTexts = () => new Set(stand.cloud.sent.map((s) => (s.body as { text?: { body?: string } }).text?.body ?? ''));
    const acked: string[] = [];
    const answers = Promise.all(
      conversations.map(async (conversationId, i) => {
        const r = await stand.kommo.amojo.managerReplies(conversationId, `answer ${i}`, manager);
        if (r.statuses[0] === 200) acked.push(`answer ${i}`);
      }),
    );
    await until('some answers acknowledged', () => acked.length >= 5, 30_000);
    await backend.kill();
    await answers;
    const pendingAtKill = acked.filter((text) => !sentTexts().has(text));
    expect(pendingAtKill.length, 'acknowledged answers not yet sent when the process died').toBeGreaterThan(0);

    await backend.start();
    await until(
      'every acknowledged answer sent or reported',
      () => acked.every((text) => sentTexts().has(text) || stand.kommo.amojo.messages.some((m) => m.text === text && m.deliveryStatus === -1)),
      90_000,
    );
    const counts = new Map<string, number>();
    for (const s of stand.cloud.sent) {
      const text = (s.body as { text?: { body?: string } }).text?.body ?? '';
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    expect(
      [...counts].filter(([text, n]) => text.startsWith('answer') && n > 1),
      'sent twice',
    ).toEqual([]);
    const failed = acked.filter((text) => !counts.has(text));
    expect(failed.length, 'cut off mid-send and reported failed instead').toBeLessThanOrEqual(1);
    for (const text of failed) expect(stand.kommo.amojo.messages.find((m) => m.text === text)!.error).toContain('Interrupted');
    expect(
      acked.filter((text) => !counts.has(text) && !failed.includes(text)),
      'acknowledged but lost',
    ).toEqual([]);
  });
});
