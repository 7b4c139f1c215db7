import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoSecrets, demoSecretsFile } from './demo-credentials';

describe('the demo secrets file', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('when the demo secrets file was loosened, then the next start makes it 0600 again and keeps its secrets', async () => {
    dir = await mkdtemp(join(tmpdir(), 'wabridge-demo-'));
    const first = await demoSecrets(dir);
    const mode = async () => (await stat(demoSecretsFile(dir!))).mode & 0o777;
    expect(await mode()).toBe(0o600);
    await chmod(demoSecretsFile(dir), 0o644);
    const again = await demoSecrets(dir);
    expect(await mode()).toBe(0o600);
    expect(again.operatorToken).toBe(first.operatorToken);
    expect(again.encryptionKey.equals(first.encryptionKey)).toBe(true);
  });
});
