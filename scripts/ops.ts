/**
 * The vendor operator's command line, over the operator API.
 *
 *   npm run ops -- accounts
 *   npm run ops -- orders [--account <subdomain>]
 *   npm run ops -- claims [--all]
 *   npm run ops -- answer <claimId> --decision upheld|rejected --answer "…" [--resolution full_refund|partial_refund|extension|fix] [--amount <cents>] [--days <n>]
 *   npm run ops -- transfer <orderId> --amount <cents> --currency USD|EUR --received <ISO date> --reference <bank ref>
 *   npm run ops -- refund <orderId> --amount <cents> [--note "…"]
 *   npm run ops -- refunds [--all]
 *   npm run ops -- refund-sent <refundId> --reference <reference of the transfer that sent it back>
 *   npm run ops -- activate <orderId>
 *   npm run ops -- outage --from <ISO> --to <ISO> [--note "…"]
 *
 * OPS_URL (default http://localhost:3000) and OPERATOR_TOKEN; against the demo, the token is read
 * from the demo's data folder (DATA_DIR, default ./data) when OPERATOR_TOKEN is not set.
 */
import axios from 'axios';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface OpsIo {
  out(line: string): void;
  err(line: string): void;
}

const USAGE =
  'usage: ops accounts | orders [--account X] | claims [--all] | answer <claimId> … | transfer <orderId> … | refund <orderId> … | refunds [--all] | refund-sent <refundId> --reference … | activate <orderId> | outage --from … --to …';

/** Runs one command; resolves to the exit code. */
export async function runOps(argv: string[], env: { url: string; token: string | undefined }, io: OpsIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      account: { type: 'string' },
      all: { type: 'boolean' },
      decision: { type: 'string' },
      answer: { type: 'string' },
      resolution: { type: 'string' },
      amount: { type: 'string' },
      days: { type: 'string' },
      currency: { type: 'string' },
      received: { type: 'string' },
      reference: { type: 'string' },
      note: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
  });
  const [command, id] = positionals;
  if (!env.token) {
    io.err('OPERATOR_TOKEN is not set (and no demo token was found).');
    return 2;
  }
  const http = axios.create({ baseURL: env.url, headers: { Authorization: `Bearer ${env.token}` }, validateStatus: () => true });
  const int = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const calls: Record<string, () => Promise<{ status: number; data: unknown }>> = {
    accounts: () => http.get('/operator/accounts'),
    orders: () => http.get('/operator/orders', { params: values.account ? { account: values.account } : {} }),
    claims: () => http.get('/operator/claims', { params: values.all ? { status: 'all' } : {} }),
    answer: () =>
      http.post(`/operator/claims/${encodeURIComponent(id ?? '')}/answer`, {
        decision: values.decision,
        answer: values.answer,
        resolution: values.resolution,
        refundAmount: int(values.amount),
        extensionDays: int(values.days),
      }),
    transfer: () =>
      http.post(`/operator/orders/${encodeURIComponent(id ?? '')}/transfer`, {
        amount: int(values.amount),
        currency: values.currency,
        receivedAt: values.received,
        reference: values.reference,
      }),
    refund: () => http.post(`/operator/orders/${encodeURIComponent(id ?? '')}/refund`, { amount: int(values.amount), note: values.note }),
    refunds: () => http.get('/operator/refunds', { params: values.all ? { status: 'all' } : {} }),
    'refund-sent': () => http.post(`/operator/refunds/${encodeURIComponent(id ?? '')}/sent`, { reference: values.reference }),
    activate: () => http.post(`/operator/orders/${encodeURIComponent(id ?? '')}/activate`, {}),
    outage: () => http.post('/operator/outages', { startsAt: values.from, endsAt: values.to, note: values.note }),
  };
  const call = command ? calls[command] : undefined;
  if (!call) {
    io.err(USAGE);
    return 2;
  }
  let response;
  try {
    response = await call();
  } catch (error) {
    io.err(`Could not reach ${env.url}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (response.status >= 400) {
    const body = response.data as { error?: { code?: string; message?: string } };
    io.err(`${response.status} ${body.error?.code ?? ''}: ${body.error?.message ?? JSON.stringify(response.data)}`);
    return 1;
  }
  io.out(JSON.stringify(response.data, null, 2));
  return 0;
}

function demoToken(): string | undefined {
  try {
    return JSON.parse(readFileSync(join(process.env.DATA_DIR ?? './data', 'demo-secrets.json'), 'utf8')).operatorToken;
  } catch {
    return undefined;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const code = await runOps(
    process.argv.slice(2),
    { url: process.env.OPS_URL ?? 'http://localhost:3000', token: process.env.OPERATOR_TOKEN ?? demoToken() },
    { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
  );
  process.exit(code);
}
