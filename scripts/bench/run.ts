import { broadcastRate } from './broadcast-rate';

/** `npm run bench`: each benchmark prints its figures, its target, and whether it met it. */
const benches = [() => broadcastRate()];

let failed = 0;
for (const bench of benches) {
  const result = await bench();
  process.stdout.write(`\n${result.name}: ${result.pass ? 'MEETS' : 'MISSES'} the target ${result.target}\n`);
  for (const [k, v] of Object.entries(result.figures)) process.stdout.write(`  ${k.padEnd(28)} ${v}\n`);
  if (!result.pass) failed++;
}
process.exit(failed ? 1 : 0);
