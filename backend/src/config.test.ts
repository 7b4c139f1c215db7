import { describe, expect, it } from 'vitest';
import { ConfigError, decodeKey, parseEnv } from './config';

describe('configuration from the environment', () => {
  it('when nothing is set, then the demo defaults apply', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', DATA_DIR: './data' });
    expect(env.KOMMO_CLIENT_ID).toBeUndefined();
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('when empty strings are set, then they count as unset', () => {
    expect(parseEnv({ DATABASE_URL: '', PORT: ' ' }).DATABASE_URL).toBeUndefined();
  });

  const bad: [Record<string, string>, string][] = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ ENCRYPTION_KEY: 'short' }, 'ENCRYPTION_KEY'],
    [{ KOMMO_CLIENT_ID: 'abc', KOMMO_CLIENT_SECRET: 'x'.repeat(20) }, 'KOMMO_CLIENT_ID'],
    [{ KOMMO_CLIENT_ID: '0b7f6c1e-8d5a-4f3b-9e2c-1a4d6b8c0e21' }, 'KOMMO_CLIENT_SECRET'],
    [{ KOMMO_CLIENT_ID: '0b7f6c1e-8d5a-4f3b-9e2c-1a4d6b8c0e21', KOMMO_CLIENT_SECRET: 'x'.repeat(20), PUBLIC_URL: 'https://w.example' }, 'ENCRYPTION_KEY'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ];
  for (const [env, name] of bad) {
    it(`when ${JSON.stringify(env)} is set, then start-up fails naming ${name}`, () => {
      expect(() => parseEnv(env)).toThrow(ConfigError);
      expect(() => parseEnv(env)).toThrow(name);
    });
  }

  it('when production is expected (NODE_ENV=production or a DATABASE_URL) without Kommo credentials, then start-up fails naming them, unless DEMO=1', () => {
    for (const env of [{ NODE_ENV: 'production' }, { DATABASE_URL: 'postgres://db.example/wabridge' }]) {
      expect(() => parseEnv(env)).toThrow(ConfigError);
      expect(() => parseEnv(env)).toThrow(/KOMMO_CLIENT_ID and KOMMO_CLIENT_SECRET: required .*DEMO=1/);
      expect(parseEnv({ ...env, DEMO: '1' }).KOMMO_CLIENT_ID).toBeUndefined();
    }
    expect(() => parseEnv({ DEMO: 'yes' })).toThrow('DEMO');
  });

  it('when the key is given as hex or base64, then it decodes to the same 32 bytes', () => {
    const hex = 'ab'.repeat(32);
    const b64 = Buffer.from(hex, 'hex').toString('base64');
    expect(decodeKey(hex)).toEqual(decodeKey(b64));
    expect(decodeKey(hex)).toHaveLength(32);
    expect(parseEnv({ ENCRYPTION_KEY: b64 }).ENCRYPTION_KEY).toBe(b64);
  });
});
