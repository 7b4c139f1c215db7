import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { backendProcess, bigAudience, freePort, startStand } from '../../backend/test/reliability/backend-process';

/**
 * Broadcast throughput against the fake Cloud API enforcing Meta's 80 messages/s per number:
 * a broadcast over 2 numbers should reach the fake at ≥ 90% of 160/s with zero 130429 answers.
 * Runs the real backend as a process with its default pace; prints figures and ratios.
 */
export async function broadcastRate(options: { recipients?: number; numbers?: number } = {}) {
  const recipients = options.recipients ?? 4000;
  const numberCount = options.numbers ?? 2;
  const limit = 80;
  const port = await freePort();
  const stand = await startStand({ account: bigAudience(recipients), webhookPort: port, store: {} });
  stand.cloud.knobs.throughput = limit;
  stand.cloud.knobs.statuses = 'sent';
  const backend = backendProcess({ port, env: stand.env, logFile: join(stand.dir, 'backend.log') });
  try {
    await backend.start();
    const { api, numberIds } = await stand.prepare(backend.url, numberCount);
    const draft = await api.post('/api/v1/broadcasts', {
      name: 'Rate benchmark',
      audience: { source: 'leads', ids: Array.from({ length: recipients }, (_, i) => 500_001 + i) },
      consentSource: 'existing_customers',
      numberIds,
      template: { name: 'come_back', language: 'en_US' },
      parameters: [{ field: 'name' }],
    });
    if (draft.status !== 201) throw new Error(`draft refused: ${JSON.stringify(draft.data)}`);
    await api.post(`/api/v1/broadcasts/${draft.data.id}/launch`, { expectedRecipients: draft.data.dryRun.recipients });
    const deadline = Date.now() + 300_000;
    while (stand.cloud.sent.filter((s) => s.wamid).length < recipients && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    const accepted = stand.cloud.sent.filter((s) => s.wamid && s.body.type === 'template');
    const refused = stand.cloud.sent.filter((s) => s.error === 130429).length;
    const seconds = (Math.max(...accepted.map((s) => s.at)) - Math.min(...accepted.map((s) => s.at))) / 1000;
    const rate = (accepted.length - 1) / seconds;
    const target = 0.9 * limit * numberCount;
    const perNumber = [...new Set(accepted.map((s) => s.phoneNumberId))].map((id) => {
      const mine = accepted.filter((s) => s.phoneNumberId === id);
      return (mine.length - 1) / ((Math.max(...mine.map((s) => s.at)) - Math.min(...mine.map((s) => s.at))) / 1000);
    });
    return {
      name: 'broadcast rate',
      figures: {
        recipients: accepted.length,
        seconds: Number(seconds.toFixed(2)),
        'messages/s': Number(rate.toFixed(1)),
        'per number (messages/s)': perNumber.map((r) => Number(r.toFixed(1))).join(', '),
        '130429 answers': refused,
        'ratio to 160/s': Number((rate / (limit * numberCount)).toFixed(3)),
      },
      pass: accepted.length === recipients && refused === 0 && rate >= target,
      target: `≥ ${target}/s (90% of ${limit}/s × ${numberCount} numbers), zero 130429`,
    };
  } finally {
    await backend.stop();
    await stand.close();
    await rm(stand.dir, { recursive: true, force: true });
  }
}
