import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../../contract/error';
import { PUBLIC_ROUTES } from '../../src/public-api/openapi';
import { startTestApp, type TestApp } from '../harness';
import { accountsAB, fingerprint, twoAccounts } from './scenario';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

/** Strings that tend to break parsers: control characters, huge numbers, SQL and path tricks, unicode. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'NaN',
    'null',
    'true',
    '[]',
    '{}',
    "' or 1=1 --",
    '../../etc/passwd',
    '%00',
    '\u0000',
    '😀'.repeat(50),
    'a'.repeat(5000),
    '<script>',
    '__proto__',
  ),
);
/** Query values stay under what an HTTP server reads (Node refuses headers over 16 KB before the app sees them). */
const queryValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '0', '-1', '1e309', "' or 1=1 --", '%00', '\u0000', '😀'.repeat(20), 'a'.repeat(1000)),
);
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(
    fc.constantFrom(
      'type',
      'text',
      'to',
      'numberId',
      'name',
      'audience',
      'parameters',
      'phones',
      'ids',
      'expectedRecipients',
      'url',
      '__proto__',
      'constructor',
    ),
    fc.jsonValue({ maxDepth: 2 }),
  ),
);

/**
 * Fuzzing (SPEC §8): generated bodies, queries, headers and path parameters for every route of
 * /openapi.json and every hook. No answer is a 5xx, every refusal has the error shape, and a refused
 * request leaves the database as it was.
 */
describe('fuzzing every public route and hook', () => {
  let t: TestApp;
  let s: Awaited<ReturnType<typeof twoAccounts>>;
  const seen = { requests: 0, refused: 0, accepted: 0 };
  beforeAll(async () => {
    t = await startTestApp('pglite', { accounts: accountsAB(), apiRate: { perSecond: 100_000, burst: 100_000 } });
    s = await twoAccounts(t);
  });
  afterAll(async () => {
    process.stdout.write(`fuzzing: ${seen.requests} requests, ${seen.refused} refused (4xx), ${seen.accepted} accepted, 0 server errors\n`);
    await t.close();
  });

  async function check(method: string, url: string, data: unknown, headers: Record<string, string>) {
    const before = await fingerprint(t);
    const response = await t.http.request({ method, url, data, headers, transformRequest: typeof data === 'string' ? [(d) => d] : undefined });
    seen.requests++;
    expect(response.status, `${method} ${url} ${JSON.stringify(data)?.slice(0, 200)} → ${JSON.stringify(response.data)?.slice(0, 300)}`).toBeLessThan(500);
    if (response.status >= 400) {
      seen.refused++;
      expect(ErrorBody.safeParse(response.data).success, `${method} ${url}: ${JSON.stringify(response.data)}`).toBe(true);
      expect(await fingerprint(t), `${method} ${url} was refused but changed the store`).toBe(before);
    } else seen.accepted++;
  }

  const idFor = (name: string) => ({ conversationId: s.a.conversation.id, broadcastId: s.a.broadcast.id, numberId: s.a.numbers[0]!.id })[name] ?? 'x';

  for (const route of PUBLIC_ROUTES) {
    it(`${route.method.toUpperCase()} ${route.path}`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            params: fc.array(fc.oneof(nasty, fc.constant('real')), { minLength: 3, maxLength: 3 }),
            query: fc.dictionary(fc.constantFrom('limit', 'before', 'phone', 'kind', 'caption'), queryValue),
            body: anyJson,
            auth: fc.constantFrom('key', 'none', 'bad'),
          }),
          async ({ params, query, body, auth }) => {
            let i = 0;
            const path = route.path.replace(
              /:([A-Za-z]+)/g,
              (_, p: string) => encodeURIComponent(params[i++] === 'real' ? idFor(p) : (params[i - 1] ?? '')) || 'x',
            );
            const qs = new URLSearchParams(query).toString();
            const headers: Record<string, string> = auth === 'key' ? s.a.key : auth === 'bad' ? { Authorization: 'Bearer wbk_forged' } : {};
            await check(route.method, `${path}${qs ? `?${qs}` : ''}`, route.method === 'post' ? body : undefined, {
              ...headers,
              'Content-Type': 'application/json',
            });
          },
        ),
        { numRuns: RUNS },
      );
    });
  }

  const hooks: [string, string][] = [
    ['post', '/whatsapp/webhook'],
    ['get', '/whatsapp/webhook'],
    ['post', '/payments/webhook'],
    ['get', '/kommo/install'],
    ['get', '/kommo/uninstall'],
    ['post', '/kommo/dp'],
    ['post', '/api/v1/session'],
  ];
  for (const [method, path] of hooks) {
    it(`${method.toUpperCase()} ${path} (hook)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            query: fc.dictionary(
              fc.constantFrom('code', 'referer', 'account_id', 'signature', 'client_uuid', 'hub.mode', 'hub.verify_token', 'hub.challenge'),
              queryValue,
            ),
            body: fc.oneof(anyJson, nasty),
            signature: queryValue,
          }),
          async ({ query, body, signature }) => {
            const qs = new URLSearchParams(query).toString();
            const headers = {
              'Content-Type': 'application/json',
              'X-Hub-Signature-256': `sha256=${signature}`,
              'Stripe-Signature': `t=1,v1=${signature}`,
              'X-Auth-Token': signature || 'x',
            };
            await check(method, `${path}${qs ? `?${qs}` : ''}`, method === 'post' ? (typeof body === 'string' ? body : body) : undefined, headers);
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});
