import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { broadcastRate } from './broadcast-rate';
import { broadcastScale, relayThroughput, webhookIntake, widgetApi } from './load';
import { pacingAccuracy } from './pacing';
import { renderTiming } from './render';
import { widgetWeight } from './weight';

/** `npm run bench`: each benchmark prints its figures, its target, and whether it met it; all go to bench/results.json. */
interface Result {
  name: string;
  figures: Record<string, string | number>;
  pass: boolean;
  target: string;
}

async function scale(): Promise<Result> {
  const small = await broadcastScale(10_000);
  const large = await broadcastScale(Number(process.env.BENCH_SCALE_LARGE ?? 100_000));
  const ratio = large.seconds / small.seconds;
  return {
    name: `broadcast scale (${small.store})`,
    figures: {
      '10k: seconds': Number(small.seconds.toFixed(1)),
      [`${large.recipients / 1000}k: seconds`]: Number(large.seconds.toFixed(1)),
      'time ratio': Number(ratio.toFixed(2)),
      '10k: peak RSS draining (MB)': small.peakMb,
      [`${large.recipients / 1000}k: peak RSS draining (MB)`]: large.peakMb,
      'RSS growth (MB)': large.peakMb - small.peakMb,
      [`(drafting 10k / ${large.recipients / 1000}k: peak RSS, MB)`]: `${small.draftPeakMb} / ${large.draftPeakMb}`,
    },
    pass: ratio <= 11 && large.peakMb - small.peakMb <= 50,
    target: 'time ratio ≤ 11×; peak RSS grows ≤ 50 MB from 10k to 100k',
  };
}

const benches: [string, () => Promise<Result>][] = [
  ['rate', () => broadcastRate()],
  ['relay', () => relayThroughput()],
  ['pacing80', () => pacingAccuracy(80)],
  ['pacing1000', () => pacingAccuracy(1000)],
  ['intake', () => webhookIntake()],
  ['api-pglite', () => widgetApi('pglite')],
  ...(process.env.DATABASE_URL ? ([['api-postgres', () => widgetApi('postgres')]] as [string, () => Promise<Result>][]) : []),
  ['scale', scale],
  ['weight', () => widgetWeight()],
  ['render', () => renderTiming()],
];
const only = process.argv.slice(2);

const results: Result[] = [];
for (const [id, bench] of benches) {
  if (only.length && !only.includes(id)) continue;
  const started = Date.now();
  const result = await bench().catch((err: unknown) => ({
    name: id,
    figures: { error: err instanceof Error ? err.message : String(err) },
    pass: false,
    target: '',
  }));
  results.push(result);
  process.stdout.write(`\n${result.name}: ${result.pass ? 'MEETS' : 'MISSES'} the target ${result.target}\n`);
  for (const [k, v] of Object.entries(result.figures)) process.stdout.write(`  ${k.padEnd(32)} ${v}\n`);
  process.stdout.write(`  ${'(benchmark took, s)'.padEnd(32)} ${Math.round((Date.now() - started) / 1000)}\n`);
}
await mkdir('bench', { recursive: true });
await writeFile(
  'bench/results.json',
  JSON.stringify(
    {
      at: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        memoryGb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        store: process.env.DATABASE_URL ? 'postgres' : 'pglite',
      },
      results,
    },
    null,
    2,
  ),
);
process.stdout.write(`\n${results.filter((r) => r.pass).length} of ${results.length} targets met; figures in bench/results.json\n`);
