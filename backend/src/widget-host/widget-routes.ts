import express, { Router } from 'express';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const widgetBuildDir = fileURLToPath(new URL('../../../dist/widget-app/', import.meta.url));
export const loaderPath = fileURLToPath(new URL('../../../widget/loader/script.js', import.meta.url));
const stylesheet = fileURLToPath(new URL('../../../widget/app/app.css', import.meta.url));

/** The loader ships with our origin written in; Kommo serves it from the widget archive. */
export async function loaderSource(publicOrigin: string): Promise<string> {
  return (await readFile(loaderPath, 'utf8')).replaceAll('__WABRIDGE_ORIGIN__', publicOrigin);
}

// The theme is set before the first paint: Kommo's (the loader reads it from the page) or light.
const appPage = (lang: string, theme: 'light' | 'dark') => `<!doctype html>
<html lang="${lang}" data-theme="${theme}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wabridge</title>
<link rel="stylesheet" href="/widget/app.css">
</head>
<body>
<div id="wabridge-root"></div>
<script src="/widget/app.js"></script>
</body>
</html>`;

/** The iframe page and its bundle, and the loader as the demo's Kommo stub fetches it. */
export function widgetRoutes(deps: { publicOrigin: string }): Router {
  const router = Router();
  router.get('/app.html', (req, res) => {
    const lang = /^[a-z]{2}$/.test(String(req.query.lang)) ? String(req.query.lang) : 'en';
    const theme = req.query.theme === 'dark' ? 'dark' : 'light';
    res.type('html').set('Cache-Control', 'no-cache').send(appPage(lang, theme));
  });
  router.get('/script.js', async (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'no-cache').send(await loaderSource(deps.publicOrigin));
  });
  router.get('/app.css', (_req, res) => {
    res.sendFile(stylesheet);
  });
  router.use(
    express.static(widgetBuildDir, {
      index: false,
      maxAge: 0,
      // Chunks are named by their content (`i18n-en.968de522.js`): a browser keeps them without asking again.
      setHeaders: (res, file) => {
        if (/\.[0-9a-f]{8}\.js$/.test(file)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  return router;
}
