import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AxiosInstance } from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { backendProcess, bigAudience, freePort, startStand } from './backend-process';

const CUSTOMERS = 40;
const PER_CUSTOMER = 10;

/** How many times each message text is stored, across every conversation. */
async function bodiesStored(api: AxiosInstance): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const conversations = (await api.get('/api/v1/conversations')).data.conversations as { id: string }[];
  for (const c of conversations) {
    let before: string | null = null;
    do {
      const page: { messages: { content: { body?: string } }[]; nextBefore: string | null } = (
        await api.get(`/api/v1/conversations/${c.id}/messages`, { params: { limit: 100, ...(before ? { before } : {}) } })
      ).data;
      for (const m of page.messages) if (m.content.body) seen.set(m.content.body, (seen.get(m.content.body) ?? 0) + 1);
      before = page.nextBefore;
    } while (before);
  }
  return seen;
}

/**
 * SPEC §5: every webhook we acknowledged is kept, even when the process dies before acting on it.
 * A burst of inbound messages is under way when the backend is killed with SIGKILL; after the
 * restart, every message whose webhook got our 200 is in its conversation, once.
 */
describe('webhook crash safety (real process, SIGKILL)', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  });

  it('when the backend is killed in the middle of a burst of inbound webhooks, then every acknowledged message is there after the restart, once', async () => {
    const port = await freePort();
    const stand = await startStand({ account: bigAudience(1), webhookPort: port, store: {} });
    cleanup.push(
      () => stand.close(),
      () => rm(stand.dir, { recursive: true, force: true }),
    );
    const backend = backendProcess({ port, env: stand.env, logFile: join(stand.dir, 'backend.log') });
    cleanup.push(() => backend.stop());
    await backend.start();
    const { api, phoneNumberIds } = await stand.prepare(backend.url, 1);
    // Meta would retry what we did not acknowledge; here only what we acknowledged counts.
    stand.cloud.knobs.retryForMs = 0;

    const killAt = 60 + Math.floor(Math.random() * 200);
    const acknowledged = () => stand.cloud.deliveries.filter((d) => d.status === 200).length;
    const burst = (async () => {
      for (let round = 0; round < PER_CUSTOMER; round++) {
        await Promise.all(
          Array.from({ length: CUSTOMERS }, (_, c) =>
            stand.cloud.customerWrites(phoneNumberIds[0]!, `+55 21 9${String(8000_0000 + c).slice(-8)}`, `msg-${c}-${round}`).catch(() => undefined),
          ),
        );
      }
    })();
    while (acknowledged() < killAt) await new Promise((r) => setTimeout(r, 2));
    await backend.kill();
    await burst;
    await backend.start();

    const acked = new Set(
      stand.cloud.deliveries
        .filter((d) => d.status === 200)
        .flatMap((d) =>
          ((d.body as { entry: { changes: { value: { messages?: { text?: { body: string } }[] } }[] }[] }).entry[0]!.changes[0]!.value.messages ?? []).map(
            (m) => m.text?.body ?? '',
          ),
        ),
    );
    expect(acked.size).toBeGreaterThanOrEqual(killAt);
    let stored = new Map<string, number>();
    for (let i = 0; i < 50; i++) {
      stored = await bodiesStored(api);
      if ([...acked].every((b) => stored.has(b))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(
      [...acked].filter((b) => !stored.has(b)),
      'acknowledged but lost',
    ).toEqual([]);
    expect(
      [...stored].filter(([, n]) => n > 1),
      'stored twice',
    ).toEqual([]);
  });
});
