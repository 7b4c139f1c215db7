import { startFakeCloudApi } from '../../fakes/whatsapp/fake-cloud-api';

/**
 * The fake Cloud API in a process of its own (forked by the pacing benchmark), so that at 1,000
 * requests/s the fake's work does not share the sender's core. Answers over IPC: `ready` with the
 * base URL and one number, then on `report` what it took (accepted sends' times, 130429 answers).
 */
const fake = await startFakeCloudApi({ appSecret: 'bench', webhookUrl: 'http://127.0.0.1:9/none' });
fake.knobs.throughput = Number(process.env.FAKE_THROUGHPUT);
fake.knobs.statuses = 'none';
const n = fake.addNumber();
process.send!({ type: 'ready', base: fake.base, phoneNumberId: n.phoneNumberId, token: n.token });
process.on('message', async (message: { type: string }) => {
  if (message.type !== 'report') return;
  const accepted = fake.sent.filter((s) => s.wamid).map((s) => s.at);
  const refused = fake.sent.filter((s) => s.error === 130429).length;
  await fake.close();
  process.send!({ type: 'report', accepted, refused }, () => process.exit(0));
});
