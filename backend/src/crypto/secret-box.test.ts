import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, deriveKey } from './secret-box';

describe('secrets at rest', () => {
  const box = createSecretBox(randomBytes(32));

  it('when a secret is sealed, then it opens to the same text and the sealed form does not contain it', () => {
    const sealed = box.encrypt('kommo-refresh-token-123');
    expect(sealed).not.toContain('kommo-refresh-token-123');
    expect(box.decrypt(sealed)).toBe('kommo-refresh-token-123');
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('when the ciphertext is tampered with or the key differs, then opening fails', () => {
    const sealed = box.encrypt('secret');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('SECRET').toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow();
    expect(() => createSecretBox(randomBytes(32)).decrypt(sealed)).toThrow();
  });

  it('when the authentication tag is cut short, then opening fails', () => {
    const parts = box.encrypt('secret').split('.');
    for (const bytes of [4, 8, 12]) {
      const short = [...parts];
      short[2] = Buffer.from(parts[2]!, 'base64url').subarray(0, bytes).toString('base64url');
      expect(() => box.decrypt(short.join('.'))).toThrow();
    }
  });

  it('when keys are derived for two purposes, then they differ and are stable', () => {
    const master = randomBytes(32);
    expect(deriveKey(master, 'a')).not.toEqual(deriveKey(master, 'b'));
    expect(deriveKey(master, 'a')).toEqual(deriveKey(master, 'a'));
  });
});
