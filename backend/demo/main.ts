import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startFakeKommo } from '../../fakes/kommo/fake-kommo';
import { startFakeStripe } from '../../fakes/stripe/fake-stripe';
import { startFakeCloudApi } from '../../fakes/whatsapp/fake-cloud-api';
import { offsetClock } from '../src/clock';
import { publicUrlOf, type Env } from '../src/config';
import { runEntry, startServer } from '../src/server';
import { DEMO_CHANNEL_BOT_ID, DEMO_CHANNEL_ID, DEMO_CLIENT_ID, demoSecrets } from './demo-credentials';
import { demoRoutes } from './demo-routes';

/**
 * `npm start`: with no Kommo credentials, the demo — the fakes of Kommo, WhatsApp's Cloud API and
 * Stripe start in this process, then the production server starts against them with the demo's own
 * secrets and a clock the demo page can move ahead. With credentials, just the production server.
 */
async function startDemo(env: Env) {
  if (env.KOMMO_CLIENT_ID) return startServer(env);
  const dataDir = resolve(env.DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const publicUrl = publicUrlOf(env);
  const secrets = await demoSecrets(dataDir);
  // The demo's clock can jump ahead (to show the 24-hour window closing); the fakes share it.
  const clock = offsetClock();

  const kommo = await startFakeKommo({
    now: clock.now,
    clientId: DEMO_CLIENT_ID,
    clientSecret: secrets.clientSecret,
    redirectUri: `${publicUrl}/kommo/install`,
    uninstallUrl: `${publicUrl}/kommo/uninstall`,
    dpUrl: `${publicUrl}/kommo/dp`,
    salesbotUrl: `${publicUrl}/kommo/salesbot`,
    // The demo runs with the native chat channel registered (in the fake Kommo only).
    channel: { channelId: DEMO_CHANNEL_ID, channelSecret: secrets.channelSecret, botId: DEMO_CHANNEL_BOT_ID, hookUrl: `${publicUrl}/kommo/channel` },
  });
  const stripe = env.STRIPE_SECRET_KEY
    ? undefined
    : await startFakeStripe({
        secretKey: secrets.stripeSecretKey,
        webhookSecret: secrets.stripeWebhookSecret,
        webhookUrl: `${publicUrl}/payments/webhook`,
        now: clock.now,
      });
  const appSecret = env.WHATSAPP_APP_SECRET ?? secrets.whatsappAppSecret;
  const whatsapp = env.GRAPH_API_BASE ? undefined : await startFakeCloudApi({ appSecret, webhookUrl: `${publicUrl}/whatsapp/webhook`, now: clock.now });
  if (whatsapp) {
    // The demo's sandbox number, and customers who answer.
    whatsapp.addNumber({
      phoneNumberId: '109000000000001',
      wabaId: '209000000000001',
      displayPhoneNumber: '+1 555-010-0001',
      verifiedName: 'Wabridge Demo',
      token: `EAAG${secrets.whatsappVerifyToken}sandbox`,
    });
    whatsapp.knobs.autoReplyMs = 2000;
  }

  await startServer(
    {
      ...env,
      PUBLIC_URL: publicUrl,
      KOMMO_CLIENT_ID: DEMO_CLIENT_ID,
      KOMMO_CLIENT_SECRET: secrets.clientSecret,
      KOMMO_API_BASE: env.KOMMO_API_BASE ?? kommo.url,
      KOMMO_CHANNEL_ID: DEMO_CHANNEL_ID,
      KOMMO_CHANNEL_SECRET: secrets.channelSecret,
      KOMMO_CHANNEL_BOT_ID: DEMO_CHANNEL_BOT_ID,
      KOMMO_CHANNEL_API_BASE: env.KOMMO_CHANNEL_API_BASE ?? kommo.url,
      ENCRYPTION_KEY: env.ENCRYPTION_KEY ?? secrets.encryptionKey.toString('hex'),
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_VERIFY_TOKEN: env.WHATSAPP_VERIFY_TOKEN ?? secrets.whatsappVerifyToken,
      GRAPH_API_BASE: env.GRAPH_API_BASE ?? whatsapp?.base,
      STRIPE_SECRET_KEY: env.STRIPE_SECRET_KEY ?? secrets.stripeSecretKey,
      STRIPE_WEBHOOK_SECRET: env.STRIPE_WEBHOOK_SECRET ?? secrets.stripeWebhookSecret,
      STRIPE_API_BASE: env.STRIPE_API_BASE ?? stripe?.url,
      OPERATOR_TOKEN: env.OPERATOR_TOKEN ?? secrets.operatorToken,
    },
    {
      clock,
      routes: ({ db, tasks }) => demoRoutes({ fake: kommo, tasks, db, whatsapp, clock }),
      async close() {
        await kommo.close();
        await stripe?.close();
        await whatsapp?.close();
      },
    },
  );
}

runEntry(process.env, startDemo);
