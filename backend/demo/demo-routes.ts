import express, { Router, type Request } from 'express';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEMO_ACCOUNT_ID, demoKommoAccount } from '../../fakes/kommo/fake-kommo-data';
import { amojoIdOf, type FakeKommo } from '../../fakes/kommo/fake-kommo';
import type { FakeCloudApi } from '../../fakes/whatsapp/fake-cloud-api';
import type { BackgroundTasks } from '../src/background-tasks';
import type { Clock } from '../src/clock';
import { badRequest, notFound } from '../src/http/app-error';
import { parse } from '../src/http/parse';
import { createAutomationStore } from '../src/automation/automation-store';
import { findAccountByKommoId } from '../src/kommo/account-store';
import type { Db } from '../src/store/db';

const staticDir = fileURLToPath(new URL('./static/', import.meta.url));
const i18nDir = fileURLToPath(new URL('../../i18n/', import.meta.url));
const imagesDir = fileURLToPath(new URL('../../images/', import.meta.url));
const requireJs = fileURLToPath(import.meta.resolve('requirejs/require.js'));

/** The demo pipeline's "Order shipped" stage. */
const DEMO_SHIPPED_STAGE = 142_003;

const TokenRequest = z.object({ userId: z.number().int().positive() });
const CustomerWrites = z.object({ text: z.string().min(1).max(1000).optional() });
const InboxAnswer = z.object({ conversationId: z.string().min(1).max(100), text: z.string().trim().min(1).max(4096), userId: z.number().int().positive() });
const ClockAdvance = z.object({
  hours: z
    .number()
    .min(0)
    .max(24 * 60),
});

/**
 * The cookie that picks which of the demo's Kommo accounts the page and these calls act on; without
 * it, the demo account everyone starts with. The e2e suite gives each test an account of its own.
 */
export const DEMO_ACCOUNT_COOKIE = 'wabridge_demo_account';
/** Accounts made by POST /demo/accounts: ids, subdomains and sandbox numbers apart from the demo account's. */
const FRESH_ACCOUNT_ID = 31_100_000;

/**
 * The demo: a page that behaves like a Kommo account and loads the real loader, plus the calls its
 * Kommo stub makes of "Kommo" (the fake Kommo in this process): install, uninstall, one-time tokens.
 */
export function demoRoutes(deps: {
  fake: FakeKommo;
  tasks: BackgroundTasks;
  db: Db;
  whatsapp?: FakeCloudApi;
  clock?: Clock & { advance(ms: number): void };
}): Router {
  const router = Router();
  // Each account's own sandbox number; the demo account has the one the fake WhatsApp started with.
  const sandboxes = new Map<number, string>();
  let made = 0;

  /** The account the request's cookie names (the demo account without one). */
  function accountId(req: Request): number {
    const named = new RegExp(`(?:^|;\\s*)${DEMO_ACCOUNT_COOKIE}=(\\d+)`).exec(req.header('cookie') ?? '')?.[1];
    const id = named ? Number(named) : DEMO_ACCOUNT_ID;
    if (!deps.fake.accounts.has(id))
      throw badRequest('unknown_demo_account', 'The demo has no such account: clear the wabridge_demo_account cookie and reload.');
    return id;
  }
  const demoAccount = (req: Request) => deps.fake.accounts.get(accountId(req))!;

  async function state(req: Request) {
    const kommo = demoAccount(req);
    const ours = await findAccountByKommoId(deps.db, kommo.id);
    return {
      installed: ours?.status === 'active',
      account: { id: kommo.id, name: kommo.name, subdomain: kommo.subdomain, tariffName: 'Advanced', language: kommo.language },
      users: kommo.users,
      leads: kommo.leads,
      contacts: kommo.contacts,
      // The sandbox number an admin connects in the widget, as they would a real one.
      sandboxNumber: sandbox(req),
    };
  }

  function sandbox(req: Request) {
    const id = accountId(req);
    const numbers = deps.whatsapp?.numbers;
    const n = numbers && (sandboxes.has(id) ? numbers.get(sandboxes.get(id)!) : id === DEMO_ACCOUNT_ID ? [...numbers.values()][0] : undefined);
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

  router.get('/kommo/state', async (req, res) => {
    res.json(await state(req));
  });

  // A fresh Kommo account like the demo account (not installed yet), with a sandbox number of its own:
  // what each e2e test starts from, so that no test sees what another left (decision 031).
  router.post('/accounts', (_req, res) => {
    made += 1;
    const id = FRESH_ACCOUNT_ID + made;
    deps.fake.accounts.set(id, demoKommoAccount({ id, name: `Wabridge Demo Company ${made}`, subdomain: `wabridge-demo-${made}` }));
    if (deps.whatsapp) {
      const number = deps.whatsapp.addNumber({
        phoneNumberId: String(109_000_000_100_000 + made),
        wabaId: String(209_000_000_100_000 + made),
        displayPhoneNumber: `+1 555-020-${String(made).padStart(4, '0')}`,
        verifiedName: 'Wabridge Demo',
      });
      sandboxes.set(id, number.phoneNumberId);
    }
    res.status(201).json({ id, cookie: { name: DEMO_ACCOUNT_COOKIE, value: String(id) } });
  });

  // Kommo calls the install hook server to server; the demo waits for the exchange so the page can go on.
  router.post('/kommo/install', async (req, res) => {
    await deps.fake.install(accountId(req));
    await deps.tasks.idle();
    // Kommo's native chat channel is configured but off, as in any installation: the admin turns it
    // on in the widget (advanced settings → WhatsApp numbers).
    res.json(await state(req));
  });

  // Kommo's inbox: the account's chats in the channel as the fake Kommo holds them, with each message's ticks.
  router.get('/kommo/inbox', (req, res) => {
    const scopeSuffix = `_${amojoIdOf('account', accountId(req))}`;
    const chats = [...deps.fake.amojo.chats.values()]
      .filter((chat) => chat.scopeId.endsWith(scopeSuffix))
      .map((chat) => ({
        conversationId: chat.conversationId,
        name: chat.user.name,
        phone: chat.user.phone,
        contactId: chat.contactId ?? null,
        messages: deps.fake.amojo.messages
          .filter((m) => m.scopeId === chat.scopeId && m.conversationId === chat.conversationId)
          .map((m) => ({
            msgid: m.msgid,
            direction: m.direction,
            text: m.text,
            fromKommo: m.fromKommo,
            status: m.deliveryStatus === 2 ? 'read' : m.deliveryStatus === 1 ? 'delivered' : m.deliveryStatus === -1 ? 'failed' : 'sent',
            error: m.error ?? null,
          })),
      }));
    res.json({ chats });
  });

  // A manager answers in Kommo's chat: Kommo sends its signed hook to Wabridge, once.
  router.post('/kommo/inbox/answer', async (req, res) => {
    const { conversationId, text, userId } = parse(InboxAnswer, req.body, 'body');
    const user = demoAccount(req).users.find((u) => u.id === userId);
    if (!user) throw badRequest('unknown_user', 'No such user in the demo account.');
    if (!deps.fake.amojo.chatOf(conversationId)) throw notFound('Kommo has no chat for this conversation yet.');
    const { statuses } = await deps.fake.amojo.managerReplies(conversationId, text, { amojoId: amojoIdOf('user', user.id), name: user.name });
    res.json({ ok: statuses[0] === 200 });
  });

  router.post('/kommo/uninstall', async (req, res) => {
    await deps.fake.uninstall(accountId(req));
    res.json(await state(req));
  });

  /** The sandbox number and the account's customer (its first contact), or 400 when the demo has no sandbox. */
  function customer(req: Request) {
    const number = sandbox(req);
    if (!deps.whatsapp || !number) throw badRequest('no_sandbox', 'The demo has no sandbox WhatsApp number.');
    const contact = demoAccount(req).contacts[0]!;
    return { whatsapp: deps.whatsapp, pnid: number.phoneNumberId, phone: contact.phones[0]!, name: contact.name };
  }

  // A simulated customer writes to the sandbox number (then answers whatever the agent sends).
  router.post('/whatsapp/customer-writes', async (req, res) => {
    const { text } = parse(CustomerWrites, req.body ?? {}, 'body');
    const c = customer(req);
    await c.whatsapp.customerWrites(c.pnid, c.phone, text ?? 'Hi! Is my order #1001 on its way?', { name: c.name });
    res.json({ ok: true });
  });

  // Kommo's digital pipeline: the demo lead enters the "Order shipped" stage, whose Wabridge action
  // the admin set to the account's first automation (Kommo keeps only its id; SPEC §7).
  router.post('/kommo/lead-enters-stage', async (req, res) => {
    const kommo = demoAccount(req);
    const automation = await createAutomationStore(deps.db).firstOfKommoAccount(kommo.id);
    if (!automation) throw badRequest('no_automation', 'Make an automation in Wabridge settings → Automations first.');
    const lead = kommo.leads[0]!;
    const [status] = await deps.fake.moveLeadToStage(kommo.id, lead.id, DEMO_SHIPPED_STAGE, { automation });
    await deps.tasks.idle();
    res.json({ ok: status === 200, leadId: lead.id });
  });

  // A Salesbot reaches the account's "Send a WhatsApp template" block for the demo lead: Kommo fills
  // the bot's variables into the block's parameters and calls our widget_request; the answer is the
  // exit the bot was continued through (SPEC §5, decision 027).
  router.post('/kommo/salesbot-step', async (req, res) => {
    const lead = demoAccount(req).leads[0]!;
    const contact = demoAccount(req).contacts.find((c) => c.id === lead.contactIds[0])!;
    const step = await deps.fake.runSalesbotStep(accountId(req), {
      template: 'order_update',
      language: 'en_US',
      parameters: `${contact.name.split(' ')[0]}\n${lead.name}`,
      number_id: '',
      contact_id: String(contact.id),
      lead_id: String(lead.id),
    });
    await deps.tasks.idle();
    const continued = deps.fake.salesbotContinues.find((c) => c.botId === step.botId);
    res.json({ ok: step.statuses[0] === 200, exit: (continued?.body as { data?: { status?: string } } | undefined)?.data?.status ?? null });
  });

  // The simulated customer taps "Unsubscribe" in the newest broadcast message they got.
  router.post('/whatsapp/customer-taps-unsubscribe', async (req, res) => {
    const c = customer(req);
    if (!(await c.whatsapp.customerTapsButton(c.pnid, c.phone, 'Unsubscribe')))
      throw badRequest('no_broadcast_message', 'The customer got no broadcast message with an Unsubscribe button.');
    res.json({ ok: true });
  });

  // The simulated customer answers the newest message the business sent them by quoting it.
  router.post('/whatsapp/customer-replies', async (req, res) => {
    const c = customer(req);
    if (!(await c.whatsapp.customerReplies(c.pnid, c.phone, 'Yes, that works for me.')))
      throw badRequest('no_message_to_reply', 'The customer got no message to reply to yet: send them one first.');
    res.json({ ok: true });
  });

  // The simulated customer taps the first quick-reply button of the newest template with buttons they got.
  router.post('/whatsapp/customer-taps-button', async (req, res) => {
    const c = customer(req);
    if (!(await c.whatsapp.customerTapsButton(c.pnid, c.phone)))
      throw badRequest('no_buttons', 'The customer got no template with buttons yet (the spring_sale broadcast has them).');
    res.json({ ok: true });
  });

  // The simulated customer reacts with 👍 to the newest message the business sent them.
  router.post('/whatsapp/customer-reacts', async (req, res) => {
    const c = customer(req);
    if (!(await c.whatsapp.customerReacts(c.pnid, c.phone, '👍')))
      throw badRequest('no_message_to_react', 'The customer got no message to react to yet: send them one first.');
    res.json({ ok: true });
  });

  // The simulated customer shares where they are.
  router.post('/whatsapp/customer-shares-location', async (req, res) => {
    const c = customer(req);
    await c.whatsapp.customerSharesLocation(c.pnid, c.phone, {
      latitude: -23.5613,
      longitude: -46.6565,
      name: 'Avenida Paulista',
      address: 'Av. Paulista, 1578 - Bela Vista, São Paulo',
    });
    res.json({ ok: true });
  });

  // The simulated customer sends a photo.
  router.post('/whatsapp/customer-sends-photo', async (req, res) => {
    const c = customer(req);
    await c.whatsapp.customerSendsImage(c.pnid, c.phone, await readFile(imagesDir + 'logo_small.png'), 'Here is the label of my parcel', 'image/png');
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
    const kommo = demoAccount(req);
    if (!kommo.users.some((u) => u.id === userId)) throw badRequest('unknown_user', 'No such user in the demo account.');
    res.json({ token: await deps.fake.mintDisposableToken(kommo.id, userId) });
  });

  return router;
}
