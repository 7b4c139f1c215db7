import { describe, expect, it } from 'vitest';
import { ConfigError, decodeKey, metricsAccess, parseEnv, requireCredentials } from './config';

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
    [{ KOMMO_CHANNEL_ID: 'c0ffee00-0000-4000-8000-000000000001', KOMMO_CHANNEL_SECRET: 'secret' }, 'KOMMO_CHANNEL_BOT_ID'],
    [{ KOMMO_CHANNEL_API_BASE: 'not a url' }, 'KOMMO_CHANNEL_API_BASE'],
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

  it('when the production server is started without credentials, then it fails naming each one missing and pointing at the demo entry', () => {
    expect(() => requireCredentials(parseEnv({ DEMO: '1' }))).toThrow(ConfigError);
    expect(() => requireCredentials(parseEnv({}))).toThrow(
      /KOMMO_CLIENT_ID, KOMMO_CLIENT_SECRET, ENCRYPTION_KEY, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN: required .*npm start/,
    );
    const real = {
      KOMMO_CLIENT_ID: '0b7f6c1e-8d5a-4f3b-9e2c-1a4d6b8c0e21',
      KOMMO_CLIENT_SECRET: 'x'.repeat(20),
      ENCRYPTION_KEY: 'a'.repeat(64),
      PUBLIC_URL: 'https://w.example',
      WHATSAPP_APP_SECRET: 'app-secret',
      WHATSAPP_VERIFY_TOKEN: 'verify',
    };
    expect(requireCredentials(parseEnv(real)).KOMMO_CLIENT_ID).toBe(real.KOMMO_CLIENT_ID);
  });

  it('when metrics are not configured in production, then they are not served on the public port; a token or their own port serves them', () => {
    const production = {
      NODE_ENV: 'production',
      KOMMO_CLIENT_ID: '0b7f6c1e-8d5a-4f3b-9e2c-1a4d6b8c0e21',
      KOMMO_CLIENT_SECRET: 'x'.repeat(20),
      PUBLIC_URL: 'https://w.example',
      ENCRYPTION_KEY: 'ab'.repeat(32),
      WHATSAPP_APP_SECRET: 'a',
      WHATSAPP_VERIFY_TOKEN: 'b',
    };
    const token = 'metrics-token-0123456789abcdef';
    expect(metricsAccess(parseEnv(production), false)).toEqual({ token: undefined, publicListener: false });
    expect(metricsAccess(parseEnv({ ...production, METRICS_TOKEN: token }), false)).toEqual({ token, publicListener: true });
    expect(metricsAccess(parseEnv({ ...production, METRICS_PORT: '9464' }), false)).toEqual({ token: undefined, publicListener: false });
    expect(parseEnv({ ...production, METRICS_PORT: '9464' })).toMatchObject({ METRICS_PORT: 9464, METRICS_HOST: '127.0.0.1' });
    // The demo (on loopback unless HOST says otherwise) serves them openly.
    expect(metricsAccess(parseEnv({}), true)).toEqual({ token: undefined, publicListener: true });
    expect(() => parseEnv({ METRICS_TOKEN: 'short' })).toThrow('METRICS_TOKEN');
    expect(() => parseEnv({ METRICS_PORT: '3000' })).toThrow('METRICS_PORT');
  });

  it('when the key is given as hex or base64, then it decodes to the same 32 bytes', () => {
    const hex = 'ab'.repeat(32);
    const b64 = Buffer.from(hex, 'hex').toString('base64');
    expect(decodeKey(hex)).toEqual(decodeKey(b64));
    expect(decodeKey(hex)).toHaveLength(32);
    expect(parseEnv({ ENCRYPTION_KEY: b64 }).ENCRYPTION_KEY).toBe(b64);
  });
});
