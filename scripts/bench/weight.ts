import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { loaderSource } from '../../backend/src/widget-host/widget-routes';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Gzipped weight of what Kommo loads: the card app bundle and the loader (`script.js`). */
export async function widgetWeight() {
  execFileSync('npx', ['webpack', '--config', 'widget/webpack.config.cjs'], { cwd: root, stdio: 'ignore' });
  const app = await readFile(`${root}/dist/widget-app/app.js`);
  const loader = Buffer.from(await loaderSource('https://wabridge.example.com'), 'utf8');
  const kb = (b: Buffer) => Number((gzipSync(b, { level: 9 }).length / 1024).toFixed(1));
  return {
    name: 'widget weight',
    figures: { 'card app (KB gz)': kb(app), 'card app (KB raw)': Number((app.length / 1024).toFixed(1)), 'script.js (KB gz)': kb(loader) },
    pass: kb(app) <= 35 && kb(loader) <= 8,
    target: 'card ≤ 35 KB gz, loader ≤ 8 KB gz',
  };
}
