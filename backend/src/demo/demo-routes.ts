import express, { Router } from 'express';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEMO_ACCOUNT_ID } from '../../../fakes/kommo/fake-kommo-data';
import type { FakeKommo } from '../../../fakes/kommo/fake-kommo';
import type { FakeCloudApi } from '../../../fakes/whatsapp/fake-cloud-api';
import type { BackgroundTasks } from '../background-tasks';
import type { Clock } from '../clock';
import { badRequest } from '../http/app-error';
import { parse } from '../http/parse';
import type { DemoStore } from './demo-store';

const staticDir = fileURLToPath(new URL('./static/', import.meta.url));
const i18nDir = fileURLToPath(new URL('../../../i18n/', import.meta.url));
const imagesDir = fileURLToPath(new URL('../../../images/', import.meta.url));
const requireJs = fileURLToPath(import.meta.resolve('requirejs/require.js'));

/** The demo pipeline's "Order shipped" stage. */
const DEMO_SHIPPED_STAGE = 142_003;

const TokenRequest = z.object({ userId: z.number().int().positive() });
const CustomerWrites = z.object({ text: z.string().min(1).max(1000).optional() });
const ClockAdvance = z.object({ hours: z.number().min(0).max(24 * 60) });

/**
 * The demo: a page that behaves like a Kommo account and loads the real loader, plus the calls its
 * Kommo stub makes of "Kommo" (the fake Kommo in this process): install, uninstall, one-time tokens.
 */
export function demoRoutes(deps: { fake: FakeKommo; tasks: BackgroundTasks; store: DemoStore; whatsapp?: FakeCloudApi; clock?: Clock & { advance(ms: number): void } }): Router {
  const router = Router();
  const demoAccount = () => deps.fake.accounts.get(DEMO_ACCOUNT_ID)!;

  async function state() {
    const kommo = demoAccount();
    return {
      installed: await deps.store.installed(DEMO_ACCOUNT_ID),
      account: { id: kommo.id, name: kommo.name, subdomain: kommo.subdomain, tariffName: 'Advanced', language: kommo.language },
      users: kommo.users,
      leads: kommo.leads,
      contacts: kommo.contacts,
      // The sandbox number an admin connects in the widget, as they would a real one.
      sandboxNumber: sandbox(),
    };
  }

  function sandbox() {
    const n = deps.whatsapp ? [...deps.whatsapp.numbers.values()][0] : undefined;
    return n ? { phoneNumberId: n.phoneNumberId, wabaId: n.wabaId, accessToken: n.token, displayPhoneNumber: n.displayPhoneNumber } : null;
  }

  router.get('/', (_req, res) => {
    res.sendFile(staticDir + 'index.html');
  });
  router.use('/static', express.static(staticDir, { index: false }));
  router.use('/i18n', express.static(i18nDir, { index: false }));
  router.use('/images', express.static(imagesDir, { index: false }));
  router.get('/vendor/require.js', (_req, res) => {
    res.sendFile(requireJs);
  });

  router.get('/kommo/state', async (_req, res) => {
    res.json(await state());
  });

  // Kommo calls the install hook server to server; the demo waits for the exchange so the page can go on.
  router.post('/kommo/install', async (_req, res) => {
    await deps.fake.install(DEMO_ACCOUNT_ID);
    await deps.tasks.idle();
    res.json(await state());
  });

  router.post('/kommo/uninstall', async (_req, res) => {
    await deps.fake.uninstall(DEMO_ACCOUNT_ID);
    res.json(await state());
  });

  // A simulated customer writes to the sandbox number (then answers whatever the agent sends).
  router.post('/whatsapp/customer-writes', async (req, res) => {
    const { text } = parse(CustomerWrites, req.body ?? {}, 'body');
    const number = sandbox();
    if (!deps.whatsapp || !number) throw badRequest('no_sandbox', 'The demo has no sandbox WhatsApp number.');
    const contact = demoAccount().contacts[0]!;
    await deps.whatsapp.customerWrites(number.phoneNumberId, contact.phones[0]!, text ?? 'Hi! Is my order #1001 on its way?', { name: contact.name });
    res.json({ ok: true });
  });

  // Kommo's digital pipeline: the demo lead enters the "Order shipped" stage, whose Wabridge action
  // the admin set to the account's first automation (Kommo keeps only its id; SPEC §7).
  router.post('/kommo/lead-enters-stage', async (_req, res) => {
    const automation = await deps.store.firstAutomation(DEMO_ACCOUNT_ID);
    if (!automation) throw badRequest('no_automation', 'Make an automation in Wabridge settings → Automations first.');
    const lead = demoAccount().leads[0]!;
    const [status] = await deps.fake.moveLeadToStage(DEMO_ACCOUNT_ID, lead.id, DEMO_SHIPPED_STAGE, { automation });
    await deps.tasks.idle();
    res.json({ ok: status === 200, leadId: lead.id });
  });

  // The simulated customer taps "Unsubscribe" in the newest broadcast message they got.
  router.post('/whatsapp/customer-taps-unsubscribe', async (_req, res) => {
    const number = sandbox();
    if (!deps.whatsapp || !number) throw badRequest('no_sandbox', 'The demo has no sandbox WhatsApp number.');
    const contact = demoAccount().contacts[0]!;
    const tapped = await deps.whatsapp.customerTapsButton(number.phoneNumberId, contact.phones[0]!, 'Unsubscribe');
    if (!tapped) throw badRequest('no_broadcast_message', 'The customer got no broadcast message with an Unsubscribe button.');
    res.json({ ok: true });
  });

  /** The sandbox number and the demo's customer (the first contact), or 400 when the demo has no sandbox. */
  function customer() {
    const number = sandbox();
    if (!deps.whatsapp || !number) throw badRequest('no_sandbox', 'The demo has no sandbox WhatsApp number.');
    const contact = demoAccount().contacts[0]!;
    return { whatsapp: deps.whatsapp, pnid: number.phoneNumberId, phone: contact.phones[0]!, name: contact.name };
  }

  // The simulated customer answers the newest message the business sent them by quoting it.
  router.post('/whatsapp/customer-replies', async (_req, res) => {
    const c = customer();
    if (!(await c.whatsapp.customerReplies(c.pnid, c.phone, 'Yes, that works for me.'))) throw badRequest('no_message_to_reply', 'The customer got no message to reply to yet: send them one first.');
    res.json({ ok: true });
  });

  // The simulated customer taps the first quick-reply button of the newest template with buttons they got.
  router.post('/whatsapp/customer-taps-button', async (_req, res) => {
    const c = customer();
    if (!(await c.whatsapp.customerTapsButton(c.pnid, c.phone))) throw badRequest('no_buttons', 'The customer got no template with buttons yet (the spring_sale broadcast has them).');
    res.json({ ok: true });
  });

  // The simulated customer reacts with 👍 to the newest message the business sent them.
  router.post('/whatsapp/customer-reacts', async (_req, res) => {
    const c = customer();
    if (!(await c.whatsapp.customerReacts(c.pnid, c.phone, '👍'))) throw badRequest('no_message_to_react', 'The customer got no message to react to yet: send them one first.');
    res.json({ ok: true });
  });

  // The simulated customer shares where they are.
  router.post('/whatsapp/customer-shares-location', async (_req, res) => {
    const c = customer();
    await c.whatsapp.customerSharesLocation(c.pnid, c.phone, { latitude: -23.5613, longitude: -46.6565, name: 'Avenida Paulista', address: 'Av. Paulista, 1578 - Bela Vista, São Paulo' });
    res.json({ ok: true });
  });

  // The simulated customer sends a photo.
  router.post('/whatsapp/customer-sends-photo', async (_req, res) => {
    const number = sandbox();
    if (!deps.whatsapp || !number) throw badRequest('no_sandbox', 'The demo has no sandbox WhatsApp number.');
    const contact = demoAccount().contacts[0]!;
    await deps.whatsapp.customerSendsImage(number.phoneNumberId, contact.phones[0]!, await readFile(imagesDir + 'logo_small.png'), 'Here is the label of my parcel', 'image/png');
    res.json({ ok: true });
  });

  // The demo's clock jumps ahead, e.g. past the 24-hour window (the fakes share it).
  router.post('/clock/advance', (req, res) => {
    const { hours } = parse(ClockAdvance, req.body ?? {}, 'body');
    if (!deps.clock) throw badRequest('no_demo_clock', 'This demo has no clock to move.');
    deps.clock.advance(hours * 3600_000);
    res.json({ now: deps.clock.now().toISOString() });
  });

  // What $authorizedAjax does inside Kommo: a fresh one-time JWT for the signed-in user.
  router.post('/kommo/token', async (req, res) => {
    const { userId } = parse(TokenRequest, req.body, 'body');
    if (!demoAccount().users.some((u) => u.id === userId)) throw badRequest('unknown_user', 'No such user in the demo account.');
    res.json({ token: await deps.fake.mintDisposableToken(DEMO_ACCOUNT_ID, userId) });
  });

  return router;
}
