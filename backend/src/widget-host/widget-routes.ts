import express, { Router } from 'express';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const widgetBuildDir = fileURLToPath(new URL('../../../dist/widget-app/', import.meta.url));
export const loaderPath = fileURLToPath(new URL('../../../widget/loader/script.js', import.meta.url));
const stylesheet = fileURLToPath(new URL('../../../widget/app/app.css', import.meta.url));

/** The loader ships with our origin written in; Kommo serves it from the widget archive. */
export async function loaderSource(publicOrigin: string): Promise<string> {
  return (await readFile(loaderPath, 'utf8')).replaceAll('__WABRIDGE_ORIGIN__', publicOrigin);
}

/**
 * What the iframe page names: app.js and app.css by their content (`?v=<hash>`, kept by the browser
 * without asking again), and each language's chunk (`i18n-es.3e5cc19b.js`). Read again when the
 * build changes (app.js's or the stylesheet's modification time).
 */
export interface Assets {
  app: string;
  css: string;
  locales: Record<string, string>;
}
let assets: { key: string; value: Promise<Assets> } | undefined;
const hashOf = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
    .slice(0, 12);

async function currentAssets(): Promise<Assets | null> {
  const app = `${widgetBuildDir}app.js`;
  const times = await Promise.all([stat(app), stat(stylesheet)]).catch(() => null);
  if (!times) return null;
  const key = times.map((s) => s.mtimeMs).join(':');
  if (assets?.key !== key) {
    const value = (async () => {
      const locales: Record<string, string> = {};
      for (const file of await readdir(widgetBuildDir)) {
        const match = /^i18n-([a-z]{2})\.[0-9a-f]{8}\.js$/.exec(file);
        if (match) locales[match[1]!] = file;
      }
      return { app: await hashOf(app), css: await hashOf(stylesheet), locales };
    })();
    assets = { key, value };
    value.catch(() => (assets = undefined));
  }
  return assets.value;
}

// The theme is set before the first paint: Kommo's (the loader reads it from the page) or light.
// The language's strings are asked for with the page rather than once app.js has run, and app.js and
// its stylesheet come from the browser's cache on every card after the first (docs/decisions/030).
export const appPage = (lang: string, theme: 'light' | 'dark', built: Assets | null) => {
  const v = (name: 'app' | 'css') => (built ? `?v=${built[name]}` : '');
  const locale = built && (built.locales[lang] ?? built.locales.en);
  return `<!doctype html>
<html lang="${lang}" data-theme="${theme}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wabridge</title>
<link rel="stylesheet" href="/widget/app.css${v('css')}">
<script src="/widget/app.js${v('app')}" defer></script>
${locale ? `<link rel="preload" href="/widget/${locale}" as="script">\n` : ''}</head>
<body>
<div id="wabridge-root"></div>
</body>
</html>`;
};

/** An asset asked for by its content hash never changes under that URL. */
const FOREVER = 'public, max-age=31536000, immutable';

/** The iframe page and its bundle, and the loader as the demo's Kommo stub fetches it. */
export function widgetRoutes(deps: { publicOrigin: string }): Router {
  const router = Router();
  router.get('/app.html', async (req, res) => {
    const lang = /^[a-z]{2}$/.test(String(req.query.lang)) ? String(req.query.lang) : 'en';
    const theme = req.query.theme === 'dark' ? 'dark' : 'light';
    res
      .type('html')
      .set('Cache-Control', 'no-cache')
      .send(appPage(lang, theme, await currentAssets()));
  });
  router.get('/script.js', async (_req, res) => {
    res
      .type('application/javascript')
      .set('Cache-Control', 'no-cache')
      .send(await loaderSource(deps.publicOrigin));
  });
  router.get('/app.css', (req, res) => {
    res.sendFile(stylesheet, req.query.v ? { headers: { 'Cache-Control': FOREVER } } : {});
  });
  router.use(
    express.static(widgetBuildDir, {
      index: false,
      maxAge: 0,
      // Chunks are named by their content (`i18n-en.968de522.js`), app.js is asked for by its hash
      // (`app.js?v=…`): a browser keeps them without asking again.
      setHeaders: (res, file) => {
        if (/\.[0-9a-f]{8}\.js$/.test(file) || (file.endsWith('/app.js') && res.req.query.v)) res.setHeader('Cache-Control', FOREVER);
      },
    }),
  );
  return router;
}
