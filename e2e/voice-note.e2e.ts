import { expect, test } from './fixtures';
import { openLeadChat } from './widget-frame';

// Chromium's fake microphone (a tone) drives MediaRecorder; the fake UI grants the permission.
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  },
  permissions: ['microphone'],
});

// The admin has connected the account's sandbox number.
test.use({ numberConnected: true });

test('when the agent records a voice note, then the timer runs, Cancel drops it, and a sent one reaches WhatsApp as Opus in Ogg and plays in the card', async ({
  page,
  request,
}) => {
  const chat = await openLeadChat(page);
  await page.getByTestId('customer-writes').click();
  await expect(chat.getByTestId('composer')).toBeVisible();
  const before = await chat.locator('[data-direction="out"]').count();

  // Cancel: nothing is sent.
  await chat.getByTestId('voice-record').click();
  await expect(chat.getByTestId('voice-timer')).toHaveText('0:01', { timeout: 5_000 });
  await chat.getByTestId('voice-cancel').click();
  await expect(chat.getByTestId('composer')).toBeVisible();

  // Record about two seconds and send.
  await chat.getByTestId('voice-record').click();
  await expect(chat.getByTestId('voice-timer')).toHaveText('0:02', { timeout: 6_000 });
  await chat.getByTestId('voice-send').click();
  const sent = chat.locator('[data-direction="out"]');
  await expect(sent).toHaveCount(before + 1);
  await expect(sent.last().getByTestId('message-audio')).toBeVisible();

  // What went to WhatsApp is Ogg with an Opus stream, as WhatsApp plays a voice note.
  const { token } = await (await request.post('/demo/kommo/token', { data: { userId: 8_100_001 } })).json();
  const session = await (await request.post('/api/v1/session', { headers: { 'X-Auth-Token': token }, data: {} })).json();
  const auth = { Authorization: `Bearer ${session.token}` };
  const { numbers } = await (await request.get('/api/v1/numbers', { headers: auth })).json();
  const conversation = await (
    await request.post('/api/v1/conversations', { headers: auth, data: { numberId: numbers[0].id, phone: '+55 11 91234-5678' } })
  ).json();
  const { messages } = await (await request.get(`/api/v1/conversations/${conversation.id}/messages`, { headers: auth })).json();
  const voice = messages.find((m: { direction: string; type: string }) => m.direction === 'out' && m.type === 'audio');
  const media = await request.get(`/api/v1/messages/${voice.id}/media`, { headers: auth });
  expect(media.headers()['content-type']).toContain('audio/ogg');
  const bytes = await media.body();
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('OggS');
  expect(bytes.includes(Buffer.from('OpusHead'))).toBe(true);
  expect(bytes.length).toBeGreaterThan(1000);
});
