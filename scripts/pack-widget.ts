/**
 * Packs the Kommo widget archive: dist/widget.zip with manifest.json, script.js, i18n/*.json and
 * images/*.png at its root (Kommo rejects a wrapping folder). The loader gets the backend's public
 * origin written in: `PUBLIC_URL=https://wabridge.example.com npm run pack:widget`.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { loaderSource } from '../backend/src/widget-host/widget-routes';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function packWidget(options: { publicUrl: string; out: string }): Promise<string[]> {
  const origin = new URL(options.publicUrl).origin;
  const zip = new yazl.ZipFile();
  const names: string[] = [];
  const add = (name: string, data: Buffer) => {
    zip.addBuffer(data, name, { mtime: new Date('2026-01-01T00:00:00Z'), mode: 0o644 });
    names.push(name);
  };
  // The digital-pipeline hook is ours: the manifest names it on our origin.
  const manifest = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8'));
  if (manifest.dp) manifest.dp.webhook_url = `${origin}/kommo/dp`;
  add('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
  add('script.js', Buffer.from(await loaderSource(origin), 'utf8'));
  for (const dir of ['i18n', 'images']) {
    const files = (await readdir(join(root, dir))).filter((f) => (dir === 'i18n' ? f.endsWith('.json') : f.endsWith('.png'))).sort();
    for (const file of files) add(`${dir}/${file}`, await readFile(join(root, dir, file)));
  }
  await mkdir(dirname(options.out), { recursive: true });
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(options.out)).on('close', resolve).on('error', reject);
    zip.end();
  });
  return names;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const publicUrl = process.env.PUBLIC_URL ?? 'http://localhost:3000';
  if (!process.env.PUBLIC_URL) process.stderr.write('PUBLIC_URL is not set: packing for http://localhost:3000 (the demo).\n');
  const out = join(root, 'dist', 'widget.zip');
  const names = await packWidget({ publicUrl, out });
  process.stdout.write(`${out}\n${names.map((n) => `  ${n}`).join('\n')}\n`);
}
