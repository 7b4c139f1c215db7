import { createCloudApiHttp } from '../../backend/src/whatsapp/cloud-api-http';
import { createPacer } from '../../backend/src/whatsapp/pacer';
import { fork } from 'node:child_process';
import { once } from 'node:events';

/**
 * Pacing accuracy: our per-number pacer, configured at `rate`, sending through the real Cloud API
 * adapter into the fake enforcing the same rate, for `seconds`. Achieved ÷ configured, and how many
 * 130429 answers the fake gave (none is the target). The fake runs in its own process: in this one it
 * took the sender's core at 1,000/s and the figure measured the two together (0.825).
 */
export async function pacingAccuracy(rate: number, seconds = Number(process.env.BENCH_SECONDS ?? 30)) {
  const fake = fork(new URL('./fake-cloud-process.ts', import.meta.url).pathname, {
    env: { ...process.env, FAKE_THROUGHPUT: String(rate) },
    execArgv: ['--import', 'tsx'],
  });
  const [n] = (await once(fake, 'message')) as [{ base: string; phoneNumberId: string; token: string }];
  const cloud = createCloudApiHttp({ base: n.base });
  const pacer = createPacer(rate);
  const until = Date.now() + seconds * 1000;
  let i = 0;
  const worker = async () => {
    while (Date.now() < until) {
      const to = `+5511${String(900_000_000 + (i++ % 50_000_000))}`;
      await pacer
        .run(n.phoneNumberId, () =>
          cloud.send(n.phoneNumberId, n.token, {
            to,
            type: 'template',
            template: {
              name: 'order_update',
              language: { code: 'en_US' },
              components: [
                {
                  type: 'body',
                  parameters: [
                    { type: 'text', text: 'A' },
                    { type: 'text', text: 'B' },
                  ],
                },
              ],
            },
          }),
        )
        .catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.max(4, Math.ceil(rate / 10)) }, worker));
  fake.send({ type: 'report' });
  const [{ accepted, refused }] = (await once(fake, 'message')) as [{ accepted: number[]; refused: number }];
  const span = (Math.max(...accepted) - Math.min(...accepted)) / 1000;
  const achieved = (accepted.length - 1) / span;
  return {
    name: `pacing accuracy at ${rate}/s`,
    figures: {
      seconds: Number(span.toFixed(1)),
      sent: accepted.length,
      'achieved/s': Number(achieved.toFixed(1)),
      'achieved ÷ configured': Number((achieved / rate).toFixed(3)),
      '130429 answers': refused,
    },
    pass: achieved / rate >= 0.95 && refused === 0,
    target: '≥ 0.95 of the configured rate, zero 130429',
  };
}
