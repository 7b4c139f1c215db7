import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';
import { describe, expect, it } from 'vitest';
import { packWidget } from './pack-widget';
import { isPluralForms } from '../widget/app/i18n/translate';

const root = fileURLToPath(new URL('..', import.meta.url));
const readJson = async (path: string) => JSON.parse(await readFile(join(root, path), 'utf8'));

type Tree = { [k: string]: string | Tree };
/** Every text's key; a text with plural forms (`{ one, other, … }`) is one key whatever forms its language has. */
function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' || isPluralForms(v) ? [prefix + k] : keys(v, `${prefix}${k}.`)));
}
function resolve(tree: Tree, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Tree)[part] : undefined), tree);
}

describe('the Kommo widget package', () => {
  it('when locales are compared, then every locale has exactly the keys of en.json and no empty text', async () => {
    const manifest = await readJson('manifest.json');
    const en = keys(await readJson('i18n/en.json')).sort();
    const files = (await readdir(join(root, 'i18n'))).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(manifest.widget.locale.map((l: string) => `${l}.json`).sort());
    for (const file of files) {
      const tree = await readJson(`i18n/${file}`);
      expect(keys(tree).sort(), file).toEqual(en);
      for (const key of en) {
        const text = resolve(tree, key);
        for (const form of isPluralForms(text) ? Object.values(text) : [text]) expect(String(form).trim(), `${file}: ${key}`).not.toBe('');
      }
    }
  });

  it('when a text has plural forms, then each locale has every form Intl.PluralRules picks in its language (ru: one, few, many)', async () => {
    const plurals = (tree: Tree, prefix = ''): [string, Record<string, string>][] =>
      Object.entries(tree).flatMap(([k, v]) =>
        typeof v === 'string' ? [] : isPluralForms(v) ? [[prefix + k, v] as [string, Record<string, string>]] : plurals(v, `${prefix}${k}.`),
      );
    const en = plurals(await readJson('i18n/en.json'));
    expect(en.map(([key]) => key)).toContain('broadcasts.launch_to');
    for (const locale of ['en', 'es', 'pt', 'ru']) {
      const needed = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      for (const [key, forms] of plurals(await readJson(`i18n/${locale}.json`))) {
        expect(Object.keys(forms).sort(), `${locale}: ${key}`).toEqual([...needed].sort());
        for (const form of Object.values(forms)) expect(form, `${locale}: ${key}`).toContain('{count}');
      }
    }
  });

  it('when the manifest names an i18n key, then it resolves in every locale', async () => {
    const manifest = await readJson('manifest.json');
    const named = [
      manifest.widget.name,
      manifest.widget.description,
      manifest.widget.short_description,
      manifest.advanced.title,
      ...Object.values(manifest.settings as Record<string, { name: string }>).map((s) => s.name),
      // The Salesbot designer's block and its settings.
      ...Object.values(manifest.salesbot_designer as Record<string, { name: string; settings: Record<string, { name: string }> }>).flatMap((h) => [
        h.name,
        ...Object.values(h.settings).map((s) => s.name),
      ]),
    ];
    for (const locale of manifest.widget.locale) {
      const tree = await readJson(`i18n/${locale}.json`);
      for (const key of named) expect(typeof resolve(tree, key), `${locale}: ${key}`).toBe('string');
    }
  });

  it('when the manifest is read, then it has what Kommo requires', async () => {
    const manifest = await readJson('manifest.json');
    expect(manifest.widget.interface_version).toBe(2);
    expect(manifest.widget.installation).toBe(true);
    expect(manifest.locations).toEqual(expect.arrayContaining(['lcard-1', 'ccard-1', 'llist-0', 'clist-0', 'settings', 'advanced_settings']));
    expect(manifest.widget.support.link).toMatch(/^https:\/\//);
    const en = await readJson('i18n/en.json');
    expect(String(resolve(en, manifest.widget.short_description)).length).toBeLessThanOrEqual(50);
    expect(String(resolve(en, manifest.widget.name)).length).toBeLessThanOrEqual(30);
  });

  it('when the app calls t() with a literal key, then the key exists in en.json', async () => {
    const en = await readJson('i18n/en.json');
    const sources: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
        if (entry.isDirectory()) await walk(join(dir, entry.name));
        else if (/\.tsx?$/.test(entry.name) && !entry.name.includes('.test.')) sources.push(await readFile(join(root, dir, entry.name), 'utf8'));
      }
    };
    await walk('widget/app');
    const used = sources.flatMap((s) => [...s.matchAll(/\bt\('([a-z0-9_.]+)'/g)].map((m) => m[1]!));
    expect(used.length).toBeGreaterThan(5);
    for (const key of used) expect(typeof resolve(en, key) === 'string' || isPluralForms(resolve(en, key)), key).toBe(true);
    // Keys built from a code: every role and the error codes the backend sends to the widget.
    for (const role of ['admin', 'agent']) expect(typeof resolve(en, `app.role.${role}`)).toBe('string');
  });

  it('when the logos are read, then each is a PNG of the size Kommo asks for and under 300 KB', async () => {
    const sizes: Record<string, [number, number]> = {
      'logo_main.png': [400, 272],
      'logo_medium.png': [240, 84],
      'logo.png': [130, 100],
      'logo_small.png': [108, 108],
      'logo_min.png': [84, 84],
      'logo_dp.png': [174, 109],
    };
    for (const [file, [w, h]] of Object.entries(sizes)) {
      const png = await readFile(join(root, 'images', file));
      expect(png.subarray(1, 4).toString('ascii'), file).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], file).toEqual([w, h]);
      expect(png.length).toBeLessThan(300 * 1024);
    }
  });

  it('when the widget is packed, then the archive holds manifest, loader, locales and logos at its root, with our origin in the loader', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'wabridge-pack-')), 'widget.zip');
    await packWidget({ publicUrl: 'https://wabridge.example.com/ignored-path', out });
    const entries = await new Promise<Map<string, Buffer>>((resolveAll, reject) => {
      const found = new Map<string, Buffer>();
      yauzl.open(out, { lazyEntries: true }, (err, zip) => {
        if (err || !zip) return reject(err);
        zip.on('entry', (entry: yauzl.Entry) => {
          zip.openReadStream(entry, (e, stream) => {
            if (e || !stream) return reject(e);
            const chunks: Buffer[] = [];
            stream
              .on('data', (c: Buffer) => chunks.push(c))
              .on('end', () => {
                found.set(entry.fileName, Buffer.concat(chunks));
                zip.readEntry();
              });
          });
        });
        zip.on('end', () => resolveAll(found));
        zip.readEntry();
      });
    });
    const names = [...entries.keys()].sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'manifest.json',
        'script.js',
        'i18n/en.json',
        'i18n/es.json',
        'i18n/pt.json',
        'i18n/ru.json',
        'images/logo.png',
        'images/logo_min.png',
        'images/logo_medium.png',
        'images/logo_main.png',
        'images/logo_small.png',
      ]),
    );
    expect(names.every((n) => !n.startsWith('/') && n.split('/').length <= 2)).toBe(true);
    const script = entries.get('script.js')!.toString('utf8');
    expect(script).toContain("var APP_ORIGIN = 'https://wabridge.example.com';");
    expect(script).not.toContain('__WABRIDGE_ORIGIN__');
    expect(script.split('\n').length).toBeGreaterThan(100); // readable, not minified
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
    expect(manifest.locations).toContain('digital_pipeline');
    expect(manifest.dp).toMatchObject({ action_multiple: false, webhook_url: 'https://wabridge.example.com/kommo/dp' });
    // Kommo's action carries only the automation id: what to send is stored on our side (SPEC §7).
    expect(Object.keys(manifest.dp.settings)).toEqual(['automation']);
    expect(names).toContain('images/logo_dp.png');
  });
});
