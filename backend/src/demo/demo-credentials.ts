import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The demo's integration id: Kommo integration ids are UUIDs; this one exists only in the fake Kommo. */
export const DEMO_CLIENT_ID = '7d1c0f3e-5b0a-4c55-9a52-8f3c9c7a1d01';

/**
 * The demo keeps its own secrets in the data folder: created on first start, reused after, so the
 * tokens it encrypted stay readable across restarts.
 */
export async function demoSecrets(dataDir: string): Promise<{ encryptionKey: Buffer; clientSecret: string }> {
  const file = join(dataDir, 'demo-secrets.json');
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { encryptionKey: string; clientSecret: string };
    return { encryptionKey: Buffer.from(saved.encryptionKey, 'base64'), clientSecret: saved.clientSecret };
  } catch {
    const fresh = { encryptionKey: randomBytes(32), clientSecret: randomBytes(32).toString('hex') };
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify({ encryptionKey: fresh.encryptionKey.toString('base64'), clientSecret: fresh.clientSecret }), { mode: 0o600 });
    return fresh;
  }
}
