import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';
import { accountWithAudience, broadcastReady, waIdOf } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { continueTarget, parametersOf } from './salesbot-rules';

/** What the loader's step puts in `widget_request` data, with Kommo's bot variables filled in. */
const STEP = { template: 'order_update', language: 'en_US', parameters: 'Customer\nLead 1', contact_id: '20001', lead_id: '10001', number_id: '' };

describe('the Salesbot step data', () => {
  it("when the return URL is Kommo's continue address, then only its bot and continue ids are taken; anything else is refused", () => {
    expect(continueTarget('https://acme.kommo.com/api/v4/salesbot/321/continue/abc-1')).toEqual({ botId: 321, continueId: 'abc-1' });
    expect(continueTarget('https://evil.example/api/v4/salesbot/321/continue/abc-1')).toEqual({ botId: 321, continueId: 'abc-1' });
    expect(continueTarget('https://acme.kommo.com/api/v4/leads')).toBeNull();
    expect(continueTarget('not a url')).toBeNull();
  });

  it('when parameters come as text, then each line is one parameter', () => {
    expect(parametersOf(' Maria \nOrder 7')).toEqual(['Maria', 'Order 7']);
    expect(parametersOf('')).toEqual([]);
    expect(parametersOf(['a', ' b'])).toEqual(['a', 'b']);
  });
});

for (const kind of storeKinds()) {
  describe(`the Salesbot step "Send a WhatsApp template" (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    const templates = () => t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.wamid);
    const run = async () => {
      await t.settle();
      await t.salesbot.processPending();
      await t.settle();
    };
    const ready = async (options: { kommoPlan?: string } = {}) => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)] });
      return broadcastReady(t, options);
    };

    it('when a bot reaches the step and Kommo sends the request twice, then the template goes once with the bot’s parameters and the bot is continued once through the "sent" exit', async () => {
      await ready();
      const step = await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, STEP, { times: 2 });
      expect(step.statuses).toEqual([200, 200]);
      await run();
      const sent = templates();
      expect(sent).toHaveLength(1);
      expect(sent[0]!.body.to).toBe(`+${waIdOf(1)}`);
      expect(sent[0]!.body.template).toMatchObject({
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Customer' },
              { type: 'text', text: 'Lead 1' },
            ],
          },
        ],
      });
      expect(t.fake.salesbotContinues).toEqual([
        { accountId: DEMO_ACCOUNT_ID, botId: step.botId, continueId: step.continueId, body: { data: { status: 'sent' } } },
      ]);
      // Another round changes nothing: sent once, continued once.
      await run();
      expect(templates()).toHaveLength(1);
      expect(t.fake.salesbotContinues).toHaveLength(1);
    });

    it('when the step names only the lead, then its main contact gets the template', async () => {
      await ready();
      await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, { ...STEP, contact_id: '', lead_id: '10002' });
      await run();
      expect(templates().map((s) => s.body.to)).toEqual([`+${waIdOf(2)}`]);
      expect(t.fake.salesbotContinues.map((c) => c.body)).toEqual([{ data: { status: 'sent' } }]);
    });

    it('when the customer opted out, then nothing is sent and the bot goes on through the "opted out" exit', async () => {
      const { numbers } = await ready();
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, `+${waIdOf(1)}`, 'STOP');
      await t.settle();
      await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, STEP);
      await run();
      expect(templates()).toHaveLength(0);
      expect(t.fake.salesbotContinues.map((c) => c.body)).toEqual([{ data: { status: 'opted_out' } }]);
    });

    it('when the template cannot go (the contact has no phone, or the named number is not connected), then the bot goes on through the "failed" exit', async () => {
      await ready();
      t.fake.accounts.get(DEMO_ACCOUNT_ID)!.contacts[0]!.phones = [];
      await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, STEP);
      await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, { ...STEP, contact_id: '20002', number_id: 'not-a-number-of-ours' });
      await run();
      expect(templates()).toHaveLength(0);
      expect(t.fake.salesbotContinues.map((c) => c.body)).toEqual([{ data: { status: 'failed' } }, { data: { status: 'failed' } }]);
      const details = await t.db.query<{ detail: string }>('select detail from salesbot_runs order by created_at, detail');
      expect(details.map((d) => d.detail).sort()).toEqual([
        'WhatsApp template “order_update” not sent by Salesbot: the contact has no valid phone.',
        'WhatsApp template “order_update” not sent by Salesbot: the number the step names is not connected.',
      ]);
    });

    it('when the request is not signed by Kommo with our secret, has expired, or does not say where to continue, then it is refused and nothing is sent or continued', async () => {
      await ready();
      const forged = await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, STEP, { secret: 'not-the-integration-secret-0123456789' });
      expect(forged.statuses).toEqual([401]);
      expect(forged.answers[0]).toMatchObject({ error: { code: 'invalid_token' } });
      const expired = await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, STEP, { lifetime: -120 });
      expect(expired.statuses).toEqual([401]);
      expect(expired.answers[0]).toMatchObject({ error: { code: 'token_expired' } });
      const elsewhere = await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, STEP, { returnUrl: 'https://evil.example/collect' });
      expect(elsewhere.statuses).toEqual([400]);
      await run();
      expect(templates()).toHaveLength(0);
      expect(t.fake.salesbotContinues).toEqual([]);
      expect(await t.db.query('select id from salesbot_runs')).toEqual([]);
    });

    it('when the token does not carry our integration id (another integration’s, or none), then it is refused 401 and nothing is stored, sent or continued', async () => {
      await ready();
      const other = await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, STEP, { clientUuid: '11111111-2222-4333-8444-555555555555' });
      expect(other.statuses).toEqual([401]);
      expect(other.answers[0]).toMatchObject({ error: { code: 'wrong_client' } });
      const none = await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, STEP, { clientUuid: null });
      expect(none.statuses).toEqual([401]);
      expect(none.answers[0]).toMatchObject({ error: { code: 'wrong_client' } });
      await run();
      expect(templates()).toHaveLength(0);
      expect(t.fake.salesbotContinues).toEqual([]);
      expect(await t.db.query('select id from salesbot_runs')).toEqual([]);
    });

    it('when one token, still fresh, is sent again for another continue point, then it is refused 401 and only the first step’s template goes; its own repeat is still answered 200', async () => {
      await ready();
      const first = await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, STEP);
      expect(first.statuses).toEqual([200]);
      const replayed = await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, { ...STEP, contact_id: '20002' }, { token: first.token });
      expect(replayed.statuses).toEqual([401]);
      expect(replayed.answers[0]).toMatchObject({ error: { code: 'token_replayed' } });
      const repeat = await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, STEP, {
        token: first.token,
        returnUrl: `${t.fake.url}/api/v4/salesbot/${first.botId}/continue/${first.continueId}`,
      });
      expect(repeat.statuses).toEqual([200]);
      await run();
      expect(templates().map((s) => s.body.to)).toEqual([`+${waIdOf(1)}`]);
      expect(t.fake.salesbotContinues.map((c) => c.continueId)).toEqual([first.continueId]);
      expect(await t.db.query('select id from salesbot_runs')).toHaveLength(1);
    });

    it('when the account is on Kommo Base, then nothing is sent and the bot goes on through the "failed" exit', async () => {
      await ready();
      const base = await t.http.post(
        '/api/v1/session',
        { kommoPlan: { name: 'Base' } },
        { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID) } },
      );
      expect(base.status).toBe(201);
      await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, STEP);
      await run();
      expect(templates()).toHaveLength(0);
      expect(t.fake.salesbotContinues.map((c) => c.body)).toEqual([{ data: { status: 'failed' } }]);
      const [row] = await t.db.query<{ detail: string }>('select detail from salesbot_runs');
      expect(row!.detail).toMatch(/Kommo/);
    });

    it('when the server died while sending a step, then the step is never sent again: once its lease ran out the bot goes on through the "failed" exit', async () => {
      await ready();
      // Kommo refuses the first continue, so the bot is still waiting when the state below is set.
      t.fake.failSalesbotContinues.push(500);
      const step = await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, STEP);
      await t.settle();
      expect(templates()).toHaveLength(1);
      // As a process leaves it when it dies after Meta took the template: taken, 'working', not continued.
      await t.db.query(`update salesbot_runs set outcome = 'working', detail = null, continued_at = null, claimed_until = $1`, [
        new Date(t.clock.now().getTime() + 10 * 60_000),
      ]);
      await run();
      expect(t.fake.salesbotContinues).toEqual([]);
      t.clock.advance(10 * 60_000 + 1);
      await run();
      expect(templates()).toHaveLength(1);
      expect(t.fake.salesbotContinues).toEqual([
        { accountId: DEMO_ACCOUNT_ID, botId: step.botId, continueId: step.continueId, body: { data: { status: 'failed' } } },
      ]);
      await run();
      expect(templates()).toHaveLength(1);
      expect(t.fake.salesbotContinues).toHaveLength(1);
    });

    it('when Kommo refuses the continue call, then the next round continues the bot and the template is not sent again', async () => {
      await ready();
      t.fake.failSalesbotContinues.push(500);
      const step = await t.fake.runSalesbotStep(DEMO_ACCOUNT_ID, STEP);
      // The round the request itself starts: sent, but Kommo answers the continue with 500.
      await t.settle();
      expect(templates()).toHaveLength(1);
      expect(t.fake.salesbotContinues).toEqual([]);
      expect(await t.db.query('select outcome from salesbot_runs where continued_at is null')).toEqual([{ outcome: 'sent' }]);
      // The continue is tried again after the queue's backoff (2 s after a first failure).
      t.clock.advance(2000);
      await run();
      expect(templates()).toHaveLength(1);
      expect(t.fake.salesbotContinues).toEqual([
        { accountId: DEMO_ACCOUNT_ID, botId: step.botId, continueId: step.continueId, body: { data: { status: 'sent' } } },
      ]);
    });
  });
}
