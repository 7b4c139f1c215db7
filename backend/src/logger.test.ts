import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

describe('the service log', () => {
  it('when an HTTP client error or an object with tokens is logged, then no token reaches the log', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const err = Object.assign(new Error('Request failed with status code 500'), {
      config: {
        url: 'https://graph.example/v25.0/1/messages',
        headers: { Authorization: 'Bearer EAAG-secret-token-1' },
        data: '{"access_token":"EAAG-secret-token-2"}',
      },
    });
    logger.error({ err }, 'send failed');
    logger.info(
      { number: { id: 'n1', accessToken: 'EAAG-secret-token-3' }, kommo: { access_token: 'kommo-secret-4', refresh_token: 'kommo-secret-5' } },
      'connected',
    );
    const text = lines.join('\n');
    expect(text).toContain('send failed');
    expect(text).toContain('https://graph.example/v25.0/1/messages');
    for (const secret of ['EAAG-secret-token-1', 'EAAG-secret-token-2', 'EAAG-secret-token-3', 'kommo-secret-4', 'kommo-secret-5'])
      expect(text).not.toContain(secret);
  });
});
