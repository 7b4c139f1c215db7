import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backendProcess, bigAudience, freePort, freshDatabase, startBalancer, startStand } from './backend-process';

const RECIPIENTS = 5000;
const KILLS = 3;

/** Three distinct random points in the run, as counts of messages the fake has accepted. */
function killPoints(): number[] {
  const points = new Set<number>();
  while (points.size < KILLS) points.add(300 + Math.floor(Math.random() * (RECIPIENTS - 900)));
  return [...points].sort((a, b) => a - b);
}

type Stand = Awaited<ReturnType<typeof startStand>>;
type Backend = ReturnType<typeof backendProcess>;

/**
 * SPEC §6: the engine survives a crash of any process — a resumed broadcast neither skips nor
 * repeats anyone. Real backend processes are killed with SIGKILL while they send, and restarted.
 */
describe('broadcast crash safety (real processes, SIGKILL)', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  });

  async function run(stand: Stand, backends: Backend[], numbers: number, publicUrl = backends[0]!.url) {
    for (const b of backends) await b.start();
    const { api, numberIds } = await stand.prepare(publicUrl, numbers);
    const draft = await api.post('/api/v1/broadcasts', {
      name: 'Crash test',
      audience: { source: 'leads', ids: Array.from({ length: RECIPIENTS }, (_, i) => 500_001 + i) },
      consentSource: 'existing_customers',
      numberIds,
      template: { name: 'come_back', language: 'en_US' },
      parameters: [{ field: 'name' }],
    });
    expect(draft.status, JSON.stringify(draft.data)).toBe(201);
    expect(draft.data.dryRun.recipients).toBe(RECIPIENTS);
    const launched = await api.post(`/api/v1/broadcasts/${draft.data.id}/launch`, { expectedRecipients: RECIPIENTS });
    expect(launched.status, JSON.stringify(launched.data)).toBe(200);

    const accepted = () => stand.cloud.sent.filter((s) => s.wamid && s.body.type === 'template').length;
    const points = killPoints();
    for (const [i, point] of points.entries()) {
      while (accepted() < point) await new Promise((r) => setTimeout(r, 5));
      const victim = backends[i % backends.length]!;
      await victim.kill();
      await victim.start();
    }

    const deadline = Date.now() + 300_000;
    let view;
    do {
      await new Promise((r) => setTimeout(r, 500));
      view = (await api.get(`/api/v1/broadcasts/${draft.data.id}`)).data;
    } while (view.status !== 'completed' && Date.now() < deadline);
    expect(view.status, JSON.stringify(view)).toBe('completed');

    const perRecipient = new Map<string, number>();
    for (const s of stand.cloud.sent)
      if (s.wamid && s.body.type === 'template') perRecipient.set(String(s.body.to), (perRecipient.get(String(s.body.to)) ?? 0) + 1);
    const twice = [...perRecipient].filter(([, n]) => n > 1);
    expect(twice, 'recipients sent more than once').toEqual([]);
    expect(perRecipient.size, 'recipients reached').toBe(RECIPIENTS);
    expect(view.counts).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS, failed: 0, queued: 0 });
  }

  it(`when one backend on the embedded store is killed ${KILLS} times mid-broadcast, then each of ${RECIPIENTS} recipients gets exactly one message`, async () => {
    const port = await freePort();
    const stand = await startStand({ account: bigAudience(RECIPIENTS), webhookPort: port, store: {} });
    cleanup.push(
      () => stand.close(),
      () => rm(stand.dir, { recursive: true, force: true }),
    );
    stand.cloud.knobs.throughput = 1000;
    stand.cloud.knobs.statuses = 'sent';
    stand.cloud.knobs.retryForMs = 120_000;
    // The grace must outlast the redelivery of status webhooks the crash left unacknowledged (Meta's
    // retries; production waits 120 s). Here hundreds retry at once against a backend that is still
    // starting; on a loaded machine its accept queue overflows and a connection can wait ~30 s for
    // the kernel's SYN retries. With a 5 s grace such a send was redone before its proof arrived.
    const backend = backendProcess({
      port,
      env: { ...stand.env, WHATSAPP_RATE_PER_SECOND: '400', BROADCAST_RECONCILE_SECONDS: '45' },
      logFile: join(stand.dir, 'backend.log'),
    });
    cleanup.push(() => backend.stop());
    await run(stand, [backend], 1);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    `when two backends share one PostgreSQL and are killed ${KILLS} times in turn, then each of ${RECIPIENTS} recipients gets exactly one message`,
    async () => {
      const database = await freshDatabase(process.env.DATABASE_URL!);
      cleanup.push(() => database.drop());
      const [front, portA, portB] = [await freePort(), await freePort(), await freePort()];
      // Meta and Kommo call the public address: a balancer in front of both instances.
      const balancer = await startBalancer({ port: front, backendPorts: [portA, portB] });
      cleanup.push(() => balancer.close());
      const stand = await startStand({ account: bigAudience(RECIPIENTS), webhookPort: front, store: { databaseUrl: database.url } });
      cleanup.push(
        () => stand.close(),
        () => rm(stand.dir, { recursive: true, force: true }),
      );
      stand.cloud.knobs.throughput = 1000;
      stand.cloud.knobs.statuses = 'sent';
      stand.cloud.knobs.retryForMs = 120_000;
      // Webhooks reach the instances through the balancer, which can hand a retried one to an instance
      // that is still starting: the grace outlasts that, as in the case above.
      const env = { ...stand.env, WHATSAPP_RATE_PER_SECOND: '200', BROADCAST_RECONCILE_SECONDS: '45' };
      const a = backendProcess({ port: portA, env, logFile: join(stand.dir, 'backend-a.log') });
      const b = backendProcess({ port: portB, env, logFile: join(stand.dir, 'backend-b.log') });
      cleanup.push(
        () => a.stop(),
        () => b.stop(),
      );
      await run(stand, [a, b], 2, `http://127.0.0.1:${front}`);
    },
  );
});
