// Where one card load spends its time (not a benchmark): `npx tsx scripts/bench/render-trace.ts` prints the iframe's and the
// parent's resource timings, long tasks and postMessages per load; ENDPOINTS=1 times the card's calls one by one;
// PROFILE=<run> writes that load's CPU profile to /tmp/card.cpuprofile (read it with app.js.map).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import axios from 'axios';
import { backendProcess, freePort } from '../../backend/test/reliability/backend-process';

const log = (...parts: unknown[]) => process.stdout.write(`${parts.map(String).join(' ')}\n`);

const MESSAGES = 200;
const probe = `(() => {
  // A card page that takes over its frame's first empty window does not run this again (render.ts).
  if (location.href === 'about:blank' && window !== parent) return addEventListener('DOMContentLoaded', watch, { once: true });
  watch();
  function watch() {
    if (location.pathname.startsWith('/demo')) { window.__parentSeen = []; addEventListener('message', (e) => window.__parentSeen.push([performance.now(), e.data && e.data.type])); return; }
    if (!location.pathname.startsWith('/widget') || window.__wbRender) return;
    const post = window.parent.postMessage.bind(window.parent);
    window.parent.postMessage = (m, o) => { (window.__wbRender.posted ||= []).push([Math.round(performance.now()), m && m.type]); return post(m, o); };
    document.addEventListener('readystatechange', () => (window.__wbRender['rs_' + document.readyState] = Math.round(performance.now())));
    const seen = { firstPage: null, all: null, msgs: [] };
    let pressedAt = 0;
    window.__wbRender = seen;
    addEventListener('message', (e) => seen.msgs.push([Math.round(performance.now()), e.data && e.data.type]));
    const check = () => {
      const count = document.querySelectorAll('[data-testid="message"]').length;
      if (count > 0 && seen.firstPage === null) seen.firstPage = performance.now();
      if (count >= ${MESSAGES} && seen.all === null) { seen.all = performance.now(); setTimeout(() => console.debug('wabridge-render: done')); }
      if (!seen.root && document.querySelector('[data-testid="wabridge-app"]')) seen.root = performance.now();
      const older = document.querySelector('[data-testid="older"]');
      if (older && count > pressedAt) { pressedAt = count; seen.older = performance.now(); older.click(); }
    };
    // Started late (a reused window), rows may already be in.
    check();
    new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
    try { new PerformanceObserver((l) => { for (const e of l.getEntries()) (seen.loaf ||= []).push({ start: Math.round(e.startTime), dur: Math.round(e.duration), renderStart: Math.round(e.renderStart - e.startTime), layoutStart: Math.round(e.styleAndLayoutStart - e.startTime), scripts: e.scripts.map((s) => [s.invoker, Math.round(s.duration), Math.round(s.forcedStyleAndLayoutDuration)]) }); }).observe({ type: 'long-animation-frame', buffered: true }); } catch {}
    try { new PerformanceObserver((l) => { for (const e of l.getEntries()) (seen.long ||= []).push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: 'longtask', buffered: true }); } catch {}
  }
})();`;

const dir = await mkdtemp(join(tmpdir(), 'wabridge-trace-'));
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const backend = backendProcess({
  port,
  entry: 'demo',
  env: {
    DEMO: '1',
    PUBLIC_URL: url,
    DATA_DIR: dir,
    DATABASE_URL: '',
    KOMMO_CLIENT_ID: '',
    KOMMO_CLIENT_SECRET: '',
    ENCRYPTION_KEY: '',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  },
  logFile: join(dir, 'backend.log'),
  readyWithinMs: 300_000,
});
await backend.start();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-gpu'],
});
try {
  const http = axios.create({ baseURL: url });
  const state = (await http.post('/demo/kommo/install')).data;
  const { token } = (await http.post('/demo/kommo/token', { userId: 8_100_001 })).data;
  const session = (await http.post('/api/v1/session', {}, { headers: { 'X-Auth-Token': token } })).data;
  const auth = { Authorization: `Bearer ${session.token}` };
  const n = state.sandboxNumber;
  await http.post('/api/v1/numbers', { phoneNumberId: n.phoneNumberId, wabaId: n.wabaId, accessToken: n.accessToken }, { headers: auth });
  for (let i = 1; i <= MESSAGES; i++) await http.post('/demo/whatsapp/customer-writes', { text: `Message ${i} of ${MESSAGES}: is my order on its way?` });
  for (;;) {
    const [c] = (await http.get('/api/v1/conversations', { headers: auth })).data.conversations;
    if (c?.unread >= MESSAGES) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (process.env.ENDPOINTS) {
    const convId = (await http.get('/api/v1/conversations', { headers: auth })).data.conversations[0].id;
    const phone = state.contacts?.[0]?.phones?.[0] ?? '';
    const time = async (name: string, f: () => Promise<unknown>) => {
      const xs: number[] = [];
      for (let i = 0; i < 15; i++) {
        const t = performance.now();
        await f();
        xs.push(performance.now() - t);
      }
      xs.sort((a, b) => a - b);
      log(name.padEnd(30), 'median', xs[7]!.toFixed(1), 'min', xs[0]!.toFixed(1));
    };
    log('phone', phone, JSON.stringify(state.leads?.[0]));
    await time('kommo/token', () => http.post('/demo/kommo/token', { userId: 8_100_001 }));
    await time('token+session', async () => {
      const t = (await http.post('/demo/kommo/token', { userId: 8_100_001 })).data.token;
      await http.post('/api/v1/session', {}, { headers: { 'X-Auth-Token': t } });
    });
    await time('me', () => http.get('/api/v1/me', { headers: auth }));
    await time('unread', () => http.get('/api/v1/unread', { headers: auth }));
    await time('card-chat 100', () => http.post('/api/v1/card-chat', { phones: [phone], limit: 100 }, { headers: auth }));
    await time('card-chat 200', () => http.post('/api/v1/card-chat', { phones: [phone], limit: 200 }, { headers: auth }));
    await time('card-chat 50', () => http.post('/api/v1/card-chat', { phones: [phone], limit: 50 }, { headers: auth }));
    await time('messages 100', () => http.get(`/api/v1/conversations/${convId}/messages?limit=100`, { headers: auth }));
    await time('licence', () => http.get('/api/v1/licence', { headers: auth }));
  }
  const context = await browser.newContext();
  await context.addInitScript(probe);
  // AB_CSS=<css>: every other load (odd runs, in a second browser profile) gets this style too, to
  // compare two ways of drawing the chat minutes apart on a shared machine.
  const other = process.env.AB_CSS ? await browser.newContext() : null;
  if (other) {
    await other.addInitScript(probe);
    await other.addInitScript(
      `if (location.pathname.startsWith('/widget')) document.addEventListener('DOMContentLoaded', () => document.head.append(Object.assign(document.createElement('style'), { textContent: ${JSON.stringify(process.env.AB_CSS ?? '')} })));`,
    );
  }
  const metrics: Record<string, number[]>[] = [{}, {}];
  for (let run = 0; run < Number(process.env.RUNS ?? 4); run++) {
    const ab = other && run % 2 === 1 ? 1 : 0;
    const page = await (ab ? other! : context).newPage();
    const perf = await page.context().newCDPSession(page);
    await perf.send('Performance.enable');
    const cdp = process.env.PROFILE && run === Number(process.env.PROFILE) ? await context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    // TRACE=<run>: that load's Chromium trace (every task on the main thread) to /tmp/card.trace.json.
    const tracing = process.env.TRACE && run === Number(process.env.TRACE);
    if (tracing)
      await browser.startTracing(page, {
        path: '/tmp/card.trace.json',
        categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'loading', 'blink', 'toplevel'],
      });
    // Waited for by the probe's console message: a locator would run Playwright's script in the card while it loads.
    const done = page.waitForEvent('console', { predicate: (m) => m.text() === 'wabridge-render: done', timeout: 30_000 });
    await page.goto(`${url}/demo#lead`);
    await done;
    if (tracing) await browser.stopTracing();
    if (cdp) {
      const { profile } = (await cdp.send('Profiler.stop')) as {
        profile: {
          nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
          samples: number[];
          timeDeltas: number[];
        };
      };
      const self = new Map<number, number>();
      profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
      const byFn = new Map<string, number>();
      for (const n of profile.nodes) {
        const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(url, '')}:${n.callFrame.lineNumber}`;
        byFn.set(k, (byFn.get(k) ?? 0) + (self.get(n.id) ?? 0));
      }
      log(
        [...byFn]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 40)
          .map(([k, v]) => `${(v / 1000).toFixed(1).padStart(7)} ms  ${k}`)
          .join('\n'),
      );
      (await import('node:fs')).writeFileSync('/tmp/card.cpuprofile', JSON.stringify(profile));
    }
    const card = page.frames().find((f) => f.url().includes('/widget'))!;
    const out = (await card.evaluate(`(() => {
      const r = Math.round;
      const nav = performance.getEntriesByType('navigation')[0] ; 
      const res = performance.getEntriesByType('resource').map((e) => e.name.replace(location.origin, '').padEnd(44) + ' start ' + r(e.startTime) + ' reqStart ' + r(e.requestStart) + ' respStart ' + r(e.responseStart) + ' end ' + r(e.responseEnd) + ' ' + e.transferSize + 'B');
      return { nav: 'html reqStart ' + r(nav.requestStart) + ' respEnd ' + r(nav.responseEnd) + ' domInteractive ' + r(nav.domInteractive) + ' dcl ' + r(nav.domContentLoadedEventEnd) + ' load ' + r(nav.loadEventEnd), res, seen: JSON.stringify(window.__wbRender) };
    })()`)) as { nav: string; res: string[]; seen: string };
    // The parent's requests (the session exchange), on the iframe's clock.
    const parent = (await page.evaluate(`(() => {
      const iframe = performance.getEntriesByType('resource').find((e) => e.name.includes('/widget/app.html'));
      const t0 = iframe.startTime;
      return performance.getEntriesByType('resource').filter((e) => e.startTime >= t0 - 50).map((e) => e.name.replace(location.origin, '').padEnd(44) + ' start ' + Math.round(e.startTime - t0) + ' end ' + Math.round(e.responseEnd - t0)).concat(window.__parentSeen.map(([t, m]) => 'parent got ' + m + ' at ' + Math.round(t - t0)));
    })()`)) as string[];
    // Main-thread time of the whole load (both frames: in the demo they share the thread).
    const { metrics: m } = (await perf.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const pick = Object.fromEntries(
      m
        .filter((x) => ['LayoutDuration', 'RecalcStyleDuration', 'ScriptDuration', 'TaskDuration', 'LayoutCount'].includes(x.name))
        .map((x) => [x.name, x.name.endsWith('Count') ? x.value : Math.round(x.value * 1000)]),
    );
    const rendered = JSON.parse(out.seen) as { all: number };
    for (const [k, v] of Object.entries({ ...pick, all: Math.round(rendered.all) })) (metrics[ab]![k] ??= []).push(v);
    log(
      `--- run ${run}${other ? (ab ? ' (AB_CSS)' : ' (as built)') : ''} ${JSON.stringify(pick)}\n${out.nav}\n${out.res.join('\n')}\n${out.seen}\nparent (rel. iframe start):\n${parent.join('\n')}`,
    );
    await page.close();
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  metrics.forEach(
    (byName, i) =>
      Object.keys(byName).length &&
      log(
        `${i ? 'AB_CSS' : 'as built'} medians (after the first load):`,
        Object.entries(byName)
          .map(([k, v]) => `${k} ${med(v.slice(1))}`)
          .join(', '),
      ),
  );
} finally {
  await browser.close();
  await backend.stop();
  if (!process.env.KEEP) await rm(dir, { recursive: true, force: true });
  else log('dir', dir);
}
