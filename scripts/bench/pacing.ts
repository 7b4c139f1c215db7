import { createCloudApiHttp } from '../../backend/src/whatsapp/cloud-api-http';
import { createPacer } from '../../backend/src/whatsapp/pacer';
import { startFakeCloudApi } from '../../fakes/whatsapp/fake-cloud-api';

/**
 * Pacing accuracy: our per-number pacer, configured at `rate`, sending through the real Cloud API
 * adapter into the fake enforcing the same rate, for `seconds`. Achieved ÷ configured, and how many
 * 130429 answers the fake gave (none is the target).
 */
export async function pacingAccuracy(rate: number, seconds = Number(process.env.BENCH_SECONDS ?? 30)) {
  const fake = await startFakeCloudApi({ appSecret: 'bench', webhookUrl: 'http://127.0.0.1:9/none' });
  fake.knobs.throughput = rate;
  fake.knobs.statuses = 'none';
  const n = fake.addNumber();
  const cloud = createCloudApiHttp({ base: fake.base });
  const pacer = createPacer(rate);
  const until = Date.now() + seconds * 1000;
  let i = 0;
  const worker = async () => {
    while (Date.now() < until) {
      const to = `+5511${String(900_000_000 + (i++ % 50_000_000))}`;
      await pacer.run(n.phoneNumberId, () => cloud.send(n.phoneNumberId, n.token, { to, type: 'template', template: { name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] }] } })).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.max(4, Math.ceil(rate / 10)) }, worker));
  const ok = fake.sent.filter((s) => s.wamid);
  const span = (Math.max(...ok.map((s) => s.at)) - Math.min(...ok.map((s) => s.at))) / 1000;
  const achieved = (ok.length - 1) / span;
  const refused = fake.sent.filter((s) => s.error === 130429).length;
  await fake.close();
  return {
    name: `pacing accuracy at ${rate}/s`,
    figures: { seconds: Number(span.toFixed(1)), sent: ok.length, 'achieved/s': Number(achieved.toFixed(1)), 'achieved ÷ configured': Number((achieved / rate).toFixed(3)), '130429 answers': refused },
    pass: achieved / rate >= 0.95 && refused === 0,
    target: '≥ 0.95 of the configured rate, zero 130429',
  };
}
