import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The demo's integration id: Kommo integration ids are UUIDs; this one exists only in the fake Kommo. */
export const DEMO_CLIENT_ID = '7d1c0f3e-5b0a-4c55-9a52-8f3c9c7a1d01';

/** The demo's Chats API channel and bot: registered only in the fake Kommo. */
export const DEMO_CHANNEL_ID = '5f0c7a2e-3d1b-4e8a-9c6f-2b7d9e1a4c01';
export const DEMO_CHANNEL_BOT_ID = '9a4e1c7b-2f6d-4b3a-8e5c-7d1f0a2b3c01';

export interface DemoSecrets {
  encryptionKey: Buffer;
  clientSecret: string;
  operatorToken: string;
  stripeSecretKey: string;
  stripeWebhookSecret: string;
  whatsappAppSecret: string;
  whatsappVerifyToken: string;
  channelSecret: string;
}

export const demoSecretsFile = (dataDir: string) => join(dataDir, 'demo-secrets.json');

/**
 * The demo keeps its own secrets in the data folder: created on first start, reused after, so the
 * tokens it encrypted stay readable across restarts and `npm run ops` can read the operator token.
 */
export async function demoSecrets(dataDir: string): Promise<DemoSecrets> {
  const file = demoSecretsFile(dataDir);
  let saved: Partial<Record<keyof DemoSecrets, string>> = {};
  try {
    saved = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // first start
  }
  const fresh = {
    encryptionKey: saved.encryptionKey ?? randomBytes(32).toString('base64'),
    clientSecret: saved.clientSecret ?? randomBytes(32).toString('hex'),
    operatorToken: saved.operatorToken ?? `op_demo_${randomBytes(18).toString('hex')}`,
    stripeSecretKey: saved.stripeSecretKey ?? `sk_test_demo_${randomBytes(18).toString('hex')}`,
    stripeWebhookSecret: saved.stripeWebhookSecret ?? `whsec_demo_${randomBytes(18).toString('hex')}`,
    whatsappAppSecret: saved.whatsappAppSecret ?? randomBytes(16).toString('hex'),
    whatsappVerifyToken: saved.whatsappVerifyToken ?? randomBytes(12).toString('hex'),
    channelSecret: saved.channelSecret ?? randomBytes(20).toString('hex'),
  };
  if (Object.entries(fresh).some(([k, v]) => saved[k as keyof DemoSecrets] !== v)) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(fresh, null, 2), { mode: 0o600 });
  }
  // The mode is given only when a file is created: one copied in or loosened later is closed again.
  await chmod(file, 0o600);
  return { ...fresh, encryptionKey: Buffer.from(fresh.encryptionKey, 'base64') };
}
