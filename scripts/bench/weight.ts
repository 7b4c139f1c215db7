import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { loaderSource } from '../../backend/src/widget-host/widget-routes';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = `${root}/dist/widget-app`;

/**
 * Gzipped weight of what Kommo loads: the card screen's JavaScript (app.js and the one language
 * chunk an agent's card fetches; the admin and broadcast screens, their models and the zod they
 * use are chunks of their own, counted apart) and the loader (`script.js`).
 */
export async function widgetWeight() {
  execFileSync('npx', ['webpack', '--config', 'widget/webpack.config.cjs'], { cwd: root, stdio: 'ignore' });
  const kb = (b: Buffer) => gzipSync(b, { level: 9 }).length / 1024;
  const files = (await readdir(dist)).filter((f) => f.endsWith('.js'));
  const chunk = async (prefix: string) => kb(await readFile(`${dist}/${files.find((f) => f.startsWith(prefix))!}`));
  const app = kb(await readFile(`${dist}/app.js`));
  const card = app + (await chunk('i18n-en.'));
  const loader = kb(Buffer.from(await loaderSource('https://wabridge.example.com'), 'utf8'));
  const round = (n: number) => Number(n.toFixed(1));
  return {
    name: 'widget weight',
    figures: {
      'card screen (KB gz)': round(card),
      'of which app.js': round(app),
      'admin chunk, lazy (KB gz)': round(await chunk('admin.')),
      'broadcasts chunk, lazy (KB gz)': round(await chunk('broadcasts.')),
      'their models chunk, lazy (KB gz)': round(await chunk('screens.')),
      'their zod chunk, lazy (KB gz)': round(await chunk('zod.')),
      'script.js (KB gz)': round(loader),
    },
    pass: card <= 35 && loader <= 8,
    target: 'card ≤ 35 KB gz, loader ≤ 8 KB gz',
  };
}
