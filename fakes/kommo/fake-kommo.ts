import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import axios from 'axios';
import express, { type Request, type Response } from 'express';
import { SignJWT } from 'jose';
import { listen } from '../http-server';
import { fakeAmojo, type FakeAmojoOptions } from './fake-amojo';
import { demoKommoAccount, type FakeKommoAccount } from './fake-kommo-data';
import { fakeSalesbot } from './fake-salesbot';

/** A stable amojo id (a UUID) for an account or a user of the fake, as Kommo gives with `with=amojo_id`. */
export function amojoIdOf(kind: 'account' | 'user', id: number): string {
  const h = createHash('md5').update(`${kind}:${id}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * A fake Kommo: a real HTTP server speaking Kommo's OAuth and REST v4 wire formats, with knobs
 * for tests and the demo (mint codes and one-time tokens, call the install and uninstall hooks,
 * hold the token exchange, read the notes it received).
 */
export interface FakeKommoOptions {
  clientId: string;
  clientSecret: string;
  /** The integration's Redirect URI (our install hook); its origin is the JWT audience. */
  redirectUri: string;
  /** Our uninstall hook. */
  uninstallUrl: string;
  /** Our digital-pipeline hook (the manifest's `dp.webhook_url`). */
  dpUrl?: string;
  /** Our Salesbot step's `widget_request` URL. */
  salesbotUrl?: string;
  accounts?: FakeKommoAccount[];
  /** Requests per second per account before 429 (Kommo's limit is 7). */
  rateLimitPerSecond?: number;
  now?: () => Date;
  /** The Chats API channel Kommo registered for us (amojo, served by this fake at `/v2/origin/custom`). */
  channel?: Omit<FakeAmojoOptions, 'now'>;
}

export interface MintTokenOverrides {
  secret?: string;
  aud?: string;
  clientUuid?: string;
  /** Seconds relative to now. */
  iatOffset?: number;
  lifetime?: number;
  isAdmin?: boolean;
}

export interface ReceivedNote {
  entityType: string;
  entityId: number;
  noteType: string;
  params: Record<string, unknown>;
}

interface RefreshChain {
  accountId: number;
  userId: number;
  usedGeneration: number;
}

export type FakeKommo = Awaited<ReturnType<typeof startFakeKommo>>;

export async function startFakeKommo(options: FakeKommoOptions) {
  const now = options.now ?? (() => new Date());
  const limit = options.rateLimitPerSecond ?? 7;
  const accounts = new Map((options.accounts ?? [demoKommoAccount()]).map((a) => [a.id, a]));
  // Each code and token belongs to the user who authorised the integration (`current_user_id`).
  const codes = new Map<string, { accountId: number; userId: number; expiresAt: number; used: boolean }>();
  const accessTokens = new Map<string, { accountId: number; userId: number; expiresAt: number }>();
  const refreshTokens = new Map<string, { chain: RefreshChain; generation: number }>();
  const hits = new Map<number, number[]>();
  const notes: ReceivedNote[] = [];
  const tasks: { accountId: number; leadId: number; responsibleUserId: number; text: string; completeTill: number }[] = [];
  const issued: { accountId: number; accessToken: string; refreshToken: string }[] = [];
  let exchangeGate: Promise<void> | undefined;
  /** The next notes requests fail with these statuses, one each (429, 500…). */
  const failNotes: number[] = [];

  /** Incoming leads Kommo made from chats no contact held (the Chats API's "incoming lead"). */
  const incomingLeads: { accountId: number; name: string; phone: string }[] = [];
  const amojo = fakeAmojo(
    { channelId: 'no-channel', channelSecret: 'no-channel', botId: 'no-bot', ...options.channel, now },
    {
      amojoAccount: (amojoId) => [...accounts.values()].find((a) => amojoIdOf('account', a.id) === amojoId),
      incomingLead: (accountId, name, phone) => incomingLeads.push({ accountId, name, phone }),
    },
  );

  const app = express();
  // amojo's own host in Kommo; here a path of the same server. Signed over the raw bytes: before JSON parsing.
  app.use('/v2/origin/custom', amojo.router);
  app.use(express.json());

  const problem = (res: Response, status: number, title: string, detail: string) =>
    res
      .status(status)
      .type('application/problem+json')
      .json({ title, type: 'https://httpstatus.es/' + status, status, detail });

  function issueTokens(accountId: number, userId: number, chain: RefreshChain = { accountId, userId, usedGeneration: -1 }) {
    const accessToken = randomBytes(24).toString('hex');
    const refreshToken = randomBytes(24).toString('hex');
    accessTokens.set(accessToken, { accountId, userId, expiresAt: now().getTime() + 86_400_000 });
    refreshTokens.set(refreshToken, { chain, generation: chain.usedGeneration + 1 });
    issued.push({ accountId, accessToken, refreshToken });
    return {
      token_type: 'Bearer',
      expires_in: 86_400,
      server_time: Math.floor(now().getTime() / 1000),
      access_token: accessToken,
      refresh_token: refreshToken,
    };
  }

  app.post('/oauth2/access_token', async (req, res) => {
    if (exchangeGate) await exchangeGate;
    const body = req.body ?? {};
    if (body.client_id !== options.clientId || body.client_secret !== options.clientSecret) {
      return problem(res, 401, 'Unauthorized', 'Client authentication failed');
    }
    if (body.redirect_uri !== options.redirectUri) return problem(res, 400, 'Bad Request', 'Redirect URI mismatch');
    if (body.grant_type === 'authorization_code') {
      const code = codes.get(String(body.code));
      if (!code || code.used || code.expiresAt < now().getTime()) {
        return problem(res, 400, 'Bad Request', 'Authorization code has expired');
      }
      code.used = true;
      return res.json(issueTokens(code.accountId, code.userId));
    }
    if (body.grant_type === 'refresh_token') {
      const entry = refreshTokens.get(String(body.refresh_token));
      // Rotation: an older token stays valid only until a newer one of its chain has been used.
      if (!entry || entry.generation < entry.chain.usedGeneration) {
        return problem(res, 400, 'Bad Request', 'Token has been revoked');
      }
      entry.chain.usedGeneration = entry.generation;
      return res.json(issueTokens(entry.chain.accountId, entry.chain.userId, entry.chain));
    }
    return problem(res, 400, 'Bad Request', 'Unsupported grant type');
  });

  const bearer = (req: Request) => /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1] ?? '';

  /** Bearer auth plus Kommo's per-account rate limit. */
  function authorise(req: Request, res: Response): FakeKommoAccount | undefined {
    const entry = accessTokens.get(bearer(req));
    const account = entry && entry.expiresAt > now().getTime() ? accounts.get(entry.accountId) : undefined;
    if (!account || !account.installed) {
      problem(res, 401, 'Unauthorized', 'Unauthorized');
      return undefined;
    }
    const t = Date.now();
    const recent = (hits.get(account.id) ?? []).filter((at) => at > t - 1000);
    if (recent.length >= limit) {
      hits.set(account.id, recent);
      problem(res, 429, 'Too Many Requests', 'Too many requests');
      return undefined;
    }
    recent.push(t);
    hits.set(account.id, recent);
    return account;
  }

  app.get('/api/v4/account', (req, res) => {
    const account = authorise(req, res);
    if (!account) return;
    const withs = String(req.query.with ?? '').split(',');
    res.json({
      id: account.id,
      name: account.name,
      subdomain: account.subdomain,
      current_user_id: accessTokens.get(bearer(req))?.userId ?? 0,
      country: account.country,
      currency: account.currency,
      currency_symbol: account.currency === 'EUR' ? '€' : '$',
      customers_mode: 'disabled',
      is_unsorted_on: true,
      is_loss_reason_enabled: true,
      is_helpbot_enabled: false,
      is_technical_account: false,
      contact_name_display_order: 1,
      language: account.language,
      ...(withs.includes('amojo_id') ? { amojo_id: amojoIdOf('account', account.id) } : {}),
      ...(withs.includes('datetime_settings')
        ? { _embedded: { datetime_settings: { timezone: account.timezone, date_format: 'd.m.Y', time_format: 'H:i' } } }
        : {}),
      _links: { self: { href: `https://${account.subdomain}.kommo.com/api/v4/account` } },
    });
  });

  // GET /api/v4/users: the account's users, a page at a time (`page`, `limit` up to 250), with `amojo_id` when asked.
  app.get('/api/v4/users', (req, res) => {
    const account = authorise(req, res);
    if (!account) return;
    const limit = Math.min(250, Number(req.query.limit ?? 50) || 50);
    const page = Math.max(1, Number(req.query.page ?? 1) || 1);
    const withAmojo = String(req.query.with ?? '')
      .split(',')
      .includes('amojo_id');
    const users = account.users.slice((page - 1) * limit, page * limit);
    if (!users.length) return res.status(204).end();
    res.json({
      _page: page,
      _embedded: { users: users.map((u) => ({ id: u.id, name: u.name, ...(withAmojo ? { amojo_id: amojoIdOf('user', u.id) } : {}) })) },
      _links: page * limit < account.users.length ? { next: { href: `/api/v4/users?page=${page + 1}&limit=${limit}` } } : {},
    });
  });

  // GET /api/v4/users/{id}: the user's name and `email`, the login they sign in to Kommo with.
  app.get('/api/v4/users/:id', (req, res) => {
    const account = authorise(req, res);
    if (!account) return;
    const user = account.users.find((u) => u.id === Number(req.params.id));
    if (!user) return problem(res, 404, 'Not Found', 'User not found');
    const amojoId = String(req.query.with ?? '')
      .split(',')
      .includes('amojo_id')
      ? { amojo_id: amojoIdOf('user', user.id) }
      : {};
    res.json({
      id: user.id,
      name: user.name,
      email: user.login ?? `user${user.id}@${account.subdomain}.example`,
      lang: account.language,
      rights: { is_admin: user.isAdmin, is_active: true },
      ...amojoId,
      _links: { self: { href: `/api/v4/users/${user.id}` } },
    });
  });

  // Chats API chats linked to contacts: `[{chat_id, contact_id}]`.
  app.post('/api/v4/contacts/chats', (req, res) => {
    const account = authorise(req, res);
    if (!account) return;
    const items = Array.isArray(req.body) ? req.body : [];
    if (
      !items.length ||
      items.some(
        (i: { chat_id?: unknown; contact_id?: unknown }) => typeof i.chat_id !== 'string' || !account.contacts.some((c) => c.id === Number(i.contact_id)),
      )
    ) {
      return problem(res, 400, 'Bad Request', 'Invalid chats request');
    }
    for (const i of items as { chat_id: string; contact_id: number }[])
      if (!amojo.link(i.chat_id, Number(i.contact_id))) return problem(res, 404, 'Not Found', 'Chat not found');
    res.json({
      _total_items: items.length,
      _embedded: {
        chats: items.map((i: { chat_id: string; contact_id: number }) => ({ chat_id: i.chat_id, contact_id: Number(i.contact_id), request_id: '0' })),
      },
    });
  });

  /** A custom field of a contact or lead as Kommo writes it. */
  const fieldJson = (f: { id: number; name: string; value: string }) => ({
    field_id: f.id,
    field_name: f.name,
    field_code: null,
    field_type: 'text',
    values: [{ value: f.value }],
  });

  const contactJson = (account: FakeKommoAccount, id: number) => {
    const c = account.contacts.find((x) => x.id === id)!;
    return {
      id: c.id,
      name: c.name,
      first_name: c.name.split(' ')[0],
      last_name: c.name.split(' ').slice(1).join(' '),
      responsible_user_id: account.users[0]?.id,
      custom_fields_values:
        c.phones.length || c.fields?.length
          ? [
              ...(c.phones.length
                ? [
                    {
                      field_id: 1,
                      field_name: 'Phone',
                      field_code: 'PHONE',
                      field_type: 'multitext',
                      values: c.phones.map((value) => ({ value, enum_id: 1, enum_code: 'MOB' })),
                    },
                  ]
                : []),
              ...(c.fields ?? []).map(fieldJson),
            ]
          : null,
      _links: { self: { href: `/api/v4/contacts/${c.id}` } },
    };
  };

  app.get('/api/v4/contacts', (req, res) => {
    const account = authorise(req, res);
    if (!account) return;
    const query = String(req.query.query ?? '').replace(/\D/g, '');
    const ids = idFilter(req);
    const found = page(
      req,
      account.contacts.filter((c) => (!ids || ids.has(c.id)) && (!query || c.phones.some((p) => p.replace(/\D/g, '').includes(query)))),
    );
    // Kommo answers an empty search with 204 and no body.
    if (!found.length) return res.status(204).end();
    res.json({ _page: 1, _links: {}, _embedded: { contacts: found.map((c) => contactJson(account, c.id)) } });
  });

  // Kommo's "complex" create: a lead with its contact in one request; `incoming` marks it as an incoming lead.
  app.post('/api/v4/leads/complex', (req, res) => {
    const account = authorise(req, res);
    if (!account) return;
    const items = Array.isArray(req.body) ? req.body : [];
    if (!items.length || items.length > 50) return problem(res, 400, 'Bad Request', 'Invalid leads request');
    const created = items.map(
      (item: {
        name?: string;
        _embedded?: { contacts?: { name?: string; custom_fields_values?: { field_code?: string; values?: { value?: string }[] }[] }[] };
      }) => {
        const c = item._embedded?.contacts?.[0];
        const phones = (c?.custom_fields_values ?? []).filter((f) => f.field_code === 'PHONE').flatMap((f) => (f.values ?? []).map((v) => String(v.value)));
        const contactId = 3_000 + account.contacts.length + 1;
        account.contacts.push({ id: contactId, name: c?.name ?? 'Unknown', phones });
        const leadId = 5_000 + account.leads.length + 1;
        account.leads.push({ id: leadId, name: item.name ?? 'Lead', price: 0, contactIds: [contactId] });
        return { id: leadId, contact_id: contactId, company_id: null, request_id: [], merged: false };
      },
    );
    res.json(created);
  });

  // Lists filtered by id (`filter[id][]=…`), `limit` up to 250 per page, `page` from 1; an empty page is 204.
  function idFilter(req: Request): Set<number> | undefined {
    const raw = req.query['filter[id][]'] ?? (req.query.filter as { id?: unknown } | undefined)?.id;
    if (raw === undefined) return undefined;
    return new Set((Array.isArray(raw) ? raw : [raw]).map(Number));
  }
  function page<T>(req: Request, items: T[]): T[] {
    const limit = Math.min(250, Math.max(1, Number(req.query.limit ?? 50)));
    const from = (Math.max(1, Number(req.query.page ?? 1)) - 1) * limit;
    return items.slice(from, from + limit);
  }

  const leadJson = (account: FakeKommoAccount, lead: FakeKommoAccount['leads'][number], withContacts: boolean) => ({
    id: lead.id,
    name: lead.name,
    price: lead.price,
    responsible_user_id: lead.responsibleUserId ?? account.users[0]?.id,
    status_id: lead.statusId ?? 142_001,
    pipeline_id: lead.pipelineId ?? 77_001,
    custom_fields_values: lead.fields?.length ? lead.fields.map(fieldJson) : null,
    _embedded: withContacts
      ? { contacts: lead.contactIds.map((id, i) => ({ id, is_main: i === 0, _links: { self: { href: `/api/v4/contacts/${id}` } } })) }
      : {},
  });

  app.get('/api/v4/leads', (req, res) => {
    const account = authorise(req, res);
    if (!account) return;
    const ids = idFilter(req);
    const found = page(
      req,
      account.leads.filter((l) => !ids || ids.has(l.id)),
    );
    if (!found.length) return res.status(204).end();
    const withContacts = String(req.query.with ?? '')
      .split(',')
      .includes('contacts');
    res.json({ _page: Number(req.query.page ?? 1), _links: {}, _embedded: { leads: found.map((l) => leadJson(account, l, withContacts)) } });
  });

  app.post('/api/v4/tasks', (req, res) => {
    const account = authorise(req, res);
    if (!account) return;
    const items = Array.isArray(req.body) ? req.body : [];
    const valid = items.every(
      (t: Record<string, unknown>) =>
        typeof t.text === 'string' && Number.isInteger(t.complete_till) && Number.isInteger(t.entity_id) && t.entity_type === 'leads',
    );
    if (!items.length || items.length > 250 || !valid) return problem(res, 400, 'Bad Request', 'Invalid tasks request');
    const created = items.map((t: Record<string, unknown>) => {
      tasks.push({
        accountId: account.id,
        leadId: Number(t.entity_id),
        responsibleUserId: Number(t.responsible_user_id),
        text: String(t.text),
        completeTill: Number(t.complete_till),
      });
      return { id: tasks.length, request_id: String(tasks.length) };
    });
    res.json({ _links: {}, _embedded: { tasks: created } });
  });

  app.get('/api/v4/contacts/:id', (req, res) => {
    const account = authorise(req, res);
    if (!account) return;
    const id = Number(req.params.id);
    if (!account.contacts.some((c) => c.id === id)) return res.status(204).end();
    res.json(contactJson(account, id));
  });

  app.get('/api/v4/leads/:id', (req, res) => {
    const account = authorise(req, res);
    if (!account) return;
    const lead = account.leads.find((l) => l.id === Number(req.params.id));
    if (!lead) return res.status(204).end();
    res.json(
      leadJson(
        account,
        lead,
        String(req.query.with ?? '')
          .split(',')
          .includes('contacts'),
      ),
    );
  });

  app.post('/api/v4/:entity/notes', (req, res) => {
    const account = authorise(req, res);
    if (!account) return;
    const forced = failNotes.shift();
    if (forced) return problem(res, forced, forced === 429 ? 'Too Many Requests' : 'Internal Server Error', 'Forced by the fake');
    const entity = String(req.params.entity);
    const items = Array.isArray(req.body) ? req.body : [];
    if (!['leads', 'contacts', 'companies'].includes(entity) || !items.length || items.length > 250) {
      return problem(res, 400, 'Bad Request', 'Invalid notes request');
    }
    const created = items.map((item: { entity_id?: unknown; note_type?: unknown; params?: unknown; request_id?: unknown }, i: number) => {
      notes.push({
        entityType: entity,
        entityId: Number(item.entity_id),
        noteType: String(item.note_type),
        params: (item.params ?? {}) as Record<string, unknown>,
      });
      return { id: notes.length, entity_id: Number(item.entity_id), request_id: String(item.request_id ?? i) };
    });
    res.json({ _links: {}, _embedded: { notes: created } });
  });

  const salesbot = fakeSalesbot({
    app,
    url: () => server.url,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    now,
    account: (id) => account(id),
    authorise,
    problem,
  });
  const server = await listen(app);
  const audience = new URL(options.redirectUri).origin;

  function account(id: number) {
    const found = accounts.get(id);
    if (!found) throw new Error(`The fake Kommo has no account ${id}`);
    return found;
  }

  /** A code authorised by `userId` (by default the account's first admin). */
  function mintCode(accountId: number, userId?: number) {
    const a = account(accountId);
    const code = 'def' + randomBytes(32).toString('hex');
    codes.set(code, { accountId, userId: userId ?? a.users.find((u) => u.isAdmin)?.id ?? 0, expiresAt: now().getTime() + 20 * 60_000, used: false });
    return code;
  }

  return {
    url: server.url,
    close: server.close,
    accounts,
    notes,
    tasks,
    /** The Chats API (amojo): connections, chats, imported messages, the signed requests, knobs, and managers answering. */
    amojo,
    incomingLeads,
    /** Every token pair the fake handed out, oldest first. */
    issued,
    failNotes,
    /** A fresh authorization code for the account (valid 20 minutes, like Kommo's). */
    mintCode,
    /** Kommo's one-time JWT, as `$authorizedAjax` sends it in `X-Auth-Token`. */
    async mintDisposableToken(accountId: number, userId: number, overrides: MintTokenOverrides = {}) {
      const a = account(accountId);
      const user = a.users.find((u) => u.id === userId);
      const iat = Math.floor(now().getTime() / 1000) + (overrides.iatOffset ?? 0);
      return new SignJWT({
        account_id: a.id,
        user_id: userId,
        subdomain: a.subdomain,
        client_uuid: overrides.clientUuid ?? options.clientId,
        is_admin: overrides.isAdmin ?? user?.isAdmin ?? false,
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(`https://${a.subdomain}.kommo.com`)
        .setAudience(overrides.aud ?? audience)
        .setJti(randomUUID())
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(iat + (overrides.lifetime ?? 1800))
        .sign(new TextEncoder().encode(overrides.secret ?? options.clientSecret));
    },
    /** What Kommo does when an admin (`byUserId`, by default the first) installs the widget: GET the Redirect URI with a fresh code. */
    async install(accountId: number, extra: Record<string, string> = {}, byUserId?: number) {
      const a = account(accountId);
      a.installed = true;
      const params = { code: mintCode(accountId, byUserId), referer: `${a.subdomain}.kommo.com`, from_widget: '1', ...extra };
      const started = Date.now();
      const response = await axios.get(options.redirectUri, { params, timeout: 3000, validateStatus: () => true });
      return { status: response.status, elapsedMs: Date.now() - started };
    },
    /**
     * The digital pipeline: the lead moves to `statusId`, and Kommo POSTs the widget's DP hook with
     * the action's settings (as the admin filled them for that stage: `{ automation: <id> }`).
     * `times` repeats the call; `time` is the event time Kommo claims.
     */
    async moveLeadToStage(accountId: number, leadId: number, statusId: number, settings: Record<string, string>, opts: { times?: number; time?: number } = {}) {
      const a = account(accountId);
      const lead = a.leads.find((l) => l.id === leadId);
      if (!lead) throw new Error(`The fake Kommo has no lead ${leadId}`);
      lead.statusId = statusId;
      if (!options.dpUrl) throw new Error('The fake Kommo was started without dpUrl');
      const body = {
        event: {
          type: 15,
          type_code: 'lead_appeared_in_status',
          data: { id: lead.id, element_type: 2, status_id: statusId, pipeline_id: lead.pipelineId ?? 77_001 },
          time: opts.time ?? Math.floor(now().getTime() / 1000),
        },
        action: { settings: { widget: { settings } } },
        subdomain: a.subdomain,
        account_id: a.id,
      };
      // Repeats arrive together, as Kommo's retries can.
      const calls = Array.from({ length: opts.times ?? 1 }, () => axios.post(options.dpUrl!, body, { validateStatus: () => true }));
      return (await Promise.all(calls)).map((r) => r.status);
    },
    /** Salesbot continues received (Kommo's continue method), oldest first. */
    salesbotContinues: salesbot.continued,
    /** The next continue calls fail with these statuses, one each. */
    failSalesbotContinues: salesbot.failContinues,
    /** A bot reaches our "Send a WhatsApp template" step with this data (bot variables already filled in). */
    async runSalesbotStep(accountId: number, data: Record<string, unknown>, opts: Parameters<typeof salesbot.runStep>[3] = {}) {
      if (!options.salesbotUrl) throw new Error('The fake Kommo was started without salesbotUrl');
      return salesbot.runStep(accountId, options.salesbotUrl, data, opts);
    },
    /** What Kommo does when an admin disables the integration; `badSignature` forges the call. */
    async uninstall(accountId: number, opts: { badSignature?: boolean } = {}) {
      const a = account(accountId);
      const key = opts.badSignature ? 'not-the-secret' : options.clientSecret;
      const signature = createHmac('sha256', key).update(`${options.clientId}|${a.id}`).digest('hex');
      const response = await axios.get(options.uninstallUrl, {
        params: { client_uuid: options.clientId, account_id: String(a.id), signature },
        headers: { 'User-Agent': 'amoService-oAuth-Code-Sender/1.0' },
        validateStatus: () => true,
      });
      if (response.status < 300) a.installed = false;
      return { status: response.status };
    },
    /** Holds every token exchange until the returned function is called (a slow Kommo). */
    holdTokenExchange(): () => void {
      let release!: () => void;
      exchangeGate = new Promise<void>((r) => (release = r)).then(() => {
        exchangeGate = undefined;
      });
      return release;
    },
  };
}
