import { afterEach, describe, expect, it } from 'vitest';
import { demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { accountWithAudience, broadcastReady, phoneOf, runEngine, springSale, waIdOf } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

const leadIds = (n: number, from = 0) => Array.from({ length: n }, (_, i) => 10_001 + from + i);

for (const kind of storeKinds()) {
  describe(`broadcasts (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    async function used(auth: Record<string, string>) {
      return (await t.http.get('/api/v1/licence', { headers: auth })).data.allowance.used as number;
    }

    it('when the audience has duplicates, bad phones, empty fields and opted-out customers, then the dry run counts each exclusion and the preview shows real recipients', async () => {
      const account = accountWithAudience(6);
      // Contact 2 shares contact 1's phone (written differently); 3 has none; 4 has a number that cannot exist; 5 has no City.
      account.contacts[1]!.phones = [phoneOf(1).replace('+55 ', '0055 ')];
      account.contacts[2]!.phones = [];
      account.contacts[3]!.phones = ['+55 11 123'];
      account.contacts[4]!.fields = [];
      t = await startTestApp(kind, { accounts: [account] });
      const { auth, numbers } = await broadcastReady(t);
      // Customer 6 wrote STOP earlier.
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(6), 'STOP');
      await t.settle();

      const created = await t.http.post(
        '/api/v1/broadcasts',
        springSale(numbers, leadIds(6), { parameters: [{ field: 'first_name' }, { field: 'cf:700001' }] }),
        { headers: auth },
      );
      expect(created.status).toBe(201);
      expect(created.data.status).toBe('draft');
      expect(created.data.dryRun).toMatchObject({
        selected: 6,
        phones: 6,
        merged: 1,
        recipients: 1,
        exclusions: { opted_out: 1, no_phone: 1, invalid_number: 1, empty_parameter: 1, forbidden_words: 0, over_allowance: 0 },
        messagesNeeded: 1,
        allowanceLeft: 10_000,
      });
      expect(created.data.dryRun.preview).toEqual([
        { name: 'Customer 1', phone: `+${waIdOf(1)}`, text: 'Hi Customer, our spring sale starts today: City 1 off everything.' },
      ]);
      expect(t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template')).toHaveLength(0);
    });

    it('when the demo plan broadcasts to more than 20, then the rest are excluded as over the allowance', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(24)] });
      const { auth, numbers } = await broadcastReady(t, { plan: 'demo' });
      const created = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(24)), { headers: auth })).data;
      expect(created.dryRun).toMatchObject({ recipients: 20, exclusions: { over_allowance: 4 }, allowanceLeft: 100 });
    });

    it('when the text holds a forbidden word, then the broadcast is refused naming the words, and nothing is stored', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)] });
      const { auth, numbers } = await broadcastReady(t);
      const refused = await t.http.post(
        '/api/v1/broadcasts',
        springSale(numbers, leadIds(3), { parameters: [{ field: 'first_name' }, { value: 'a free Casino night and a JACKPOT' }] }),
        { headers: auth },
      );
      expect(refused.status).toBe(422);
      expect(refused.data.error).toMatchObject({ code: 'forbidden_words' });
      expect(refused.data.error.message).toContain('casino, jackpot');
      expect((await t.http.get('/api/v1/broadcasts', { headers: auth })).data.broadcasts).toEqual([]);
    });

    it('when the consent source is a purchased list, or the template has no way to unsubscribe, then the broadcast is refused', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)] });
      const { auth, numbers } = await broadcastReady(t);
      const bought = await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(3), { consentSource: 'purchased_list' }), { headers: auth });
      expect(bought.status).toBe(422);
      expect(bought.data.error.code).toBe('consent_not_allowed');
      const noWayOut = await t.http.post(
        '/api/v1/broadcasts',
        springSale(numbers, leadIds(3), { template: { name: 'order_update', language: 'en_US' }, headerMediaUrl: undefined }),
        { headers: auth },
      );
      expect(noWayOut.status).toBe(422);
      expect(noWayOut.data.error.code).toBe('unsubscribe_missing');
    });

    it('when a template holds a stop word only inside other text, then it gives no way to unsubscribe and the broadcast is refused; an opt-out phrase of its language qualifies', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)] });
      const { auth, numbers } = await broadcastReady(t);
      const body = (text: string) => ({ type: 'BODY', text });
      t.fakeWhatsApp.templates.set(numbers[0]!.wabaId, [
        { name: 'oferta', language: 'es', status: 'APPROVED', category: 'MARKETING', components: [body('Hola {{1}}, descuento alto y precios en baja.')] },
        {
          name: 'pedido',
          language: 'pt_BR',
          status: 'APPROVED',
          category: 'MARKETING',
          components: [body('Olá {{1}}!'), { type: 'FOOTER', text: 'Pode cancelar seu pedido' }],
        },
        {
          name: 'deals',
          language: 'en_US',
          status: 'APPROVED',
          category: 'MARKETING',
          components: [body('Hi {{1}}!'), { type: 'FOOTER', text: 'Non-stop deals' }],
        },
        {
          name: 'novidades',
          language: 'pt_BR',
          status: 'APPROVED',
          category: 'MARKETING',
          components: [body('Olá {{1}}!'), { type: 'FOOTER', text: 'Responda SAIR para cancelar' }],
        },
        { name: 'novosti', language: 'ru', status: 'APPROVED', category: 'MARKETING', components: [body('Привет, {{1}}!\nОтветьте СТОП, чтобы отписаться')] },
      ]);
      await t.http.post(`/api/v1/numbers/${numbers[0]!.id}/templates/sync`, {}, { headers: auth });
      const draft = (name: string, language: string) =>
        t.http.post(
          '/api/v1/broadcasts',
          springSale(numbers, leadIds(3), { template: { name, language }, parameters: [{ field: 'first_name' }], headerMediaUrl: undefined }),
          { headers: auth },
        );
      for (const [name, language] of [
        ['oferta', 'es'],
        ['pedido', 'pt_BR'],
        ['deals', 'en_US'],
      ] as const) {
        const refused = await draft(name, language);
        expect(refused.status, name).toBe(422);
        expect(refused.data.error.code, name).toBe('unsubscribe_missing');
      }
      expect((await draft('novidades', 'pt_BR')).status).toBe(201);
      expect((await draft('novosti', 'ru')).status).toBe(201);
    });

    it('when the picker lists the templates, then those that qualify come first and the others say why not, before anything is mapped', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)] });
      const { auth, numbers } = await broadcastReady(t);
      // The fake's defaults, and one whose text holds forbidden words.
      t.fakeWhatsApp.templates.get(numbers[0]!.wabaId)!.push({
        name: 'lucky',
        language: 'en_US',
        status: 'APPROVED',
        category: 'MARKETING',
        components: [
          { type: 'BODY', text: 'Hi {{1}}, win the JACKPOT at our casino!' },
          { type: 'FOOTER', text: 'Reply STOP to unsubscribe' },
        ],
      });
      await t.http.post(`/api/v1/numbers/${numbers[0]!.id}/templates/sync`, {}, { headers: auth });
      const listed = await t.http.get(`/api/v1/numbers/${numbers[0]!.id}/broadcast-templates`, { headers: auth });
      expect(listed.status).toBe(200);
      const verdicts = listed.data.templates.map((x: { name: string; qualifies: boolean; unsubscribe: string | null; refusal: unknown }) => [
        x.name,
        x.qualifies,
        x.unsubscribe,
        x.refusal,
      ]);
      expect(verdicts).toEqual([
        ['come_back', true, 'line', null],
        ['spring_sale', true, 'button', null],
        ['lucky', false, null, { reason: 'forbidden_words', words: ['casino', 'jackpot'] }],
        ['old_promo', false, null, { reason: 'template_not_approved', words: [] }],
        ['order_update', false, null, { reason: 'unsubscribe_missing', words: [] }],
        ['pedido_enviado', false, null, { reason: 'unsubscribe_missing', words: [] }],
      ]);
      expect(listed.data.templates[1]).toMatchObject({ headerFormat: 'IMAGE', paramCount: 2, status: 'APPROVED' });
      // The draft is refused for the reason the picker gave.
      const lucky = await t.http.post(
        '/api/v1/broadcasts',
        springSale(numbers, leadIds(3), { template: { name: 'lucky', language: 'en_US' }, parameters: [{ field: 'first_name' }], headerMediaUrl: undefined }),
        { headers: auth },
      );
      expect(lucky.status).toBe(422);
      expect(lucky.data.error).toMatchObject({ code: 'forbidden_words' });
      expect(lucky.data.error.message).toContain('casino, jackpot');
    });

    it("when a recipient's mapped CRM value holds a forbidden word, then that recipient is excluded with the reason and the others are kept", async () => {
      const account = accountWithAudience(4);
      account.contacts[1]!.fields = [{ id: 700_001, name: 'City', value: 'Casino Royale' }];
      account.contacts[2]!.name = 'Free Money Ltd';
      t = await startTestApp(kind, { accounts: [account] });
      const { auth, numbers } = await broadcastReady(t);
      const created = await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(4), { parameters: [{ field: 'name' }, { field: 'cf:700001' }] }), {
        headers: auth,
      });
      expect(created.status).toBe(201);
      expect(created.data.dryRun).toMatchObject({
        recipients: 2,
        exclusions: { forbidden_words: 2, opted_out: 0, no_phone: 0, invalid_number: 0, empty_parameter: 0, over_allowance: 0 },
      });
      expect(created.data.dryRun.preview.map((p: { name: string }) => p.name)).toEqual(['Customer 1', 'Customer 4']);
      const launched = await t.http.post(`/api/v1/broadcasts/${created.data.id}/launch`, { expectedRecipients: 2 }, { headers: auth });
      expect(launched.status).toBe(200);
      await runEngine(t);
      const sentTo = t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.wamid).map((s) => s.body.to);
      expect(sentTo.sort()).toEqual([`+${waIdOf(1)}`, `+${waIdOf(4)}`]);
    });

    it("when the header's link holds a forbidden word, then the broadcast is refused naming the words, and nothing is stored", async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)] });
      const { auth, numbers } = await broadcastReady(t);
      const refused = await t.http.post(
        '/api/v1/broadcasts',
        springSale(numbers, leadIds(3), { headerMediaUrl: 'https://cdn.example.com/promo/casino-night_free%20money.jpg' }),
        { headers: auth },
      );
      expect(refused.status).toBe(422);
      expect(refused.data.error).toMatchObject({ code: 'forbidden_words', issues: [{ path: 'body.headerMediaUrl', message: 'casino, free money' }] });
      expect(refused.data.error.message).toContain('casino, free money');
      expect((await t.http.get('/api/v1/broadcasts', { headers: auth })).data.broadcasts).toEqual([]);
    });

    it('when launched, then each recipient gets one message with the exact wire body, the allowance is taken at launch, and counts follow the statuses', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(5)] });
      const { auth, numbers } = await broadcastReady(t);
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(5)), { headers: auth })).data;
      const before = await used(auth);
      const launched = await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, { expectedRecipients: 5 }, { headers: auth });
      expect(launched.status).toBe(200);
      expect(launched.data.status).toBe('running');
      expect(await used(auth)).toBe(before + 5);

      await runEngine(t);
      const templates = t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.wamid);
      expect(templates.map((s) => s.body.to).sort()).toEqual([1, 2, 3, 4, 5].map((i) => `+${waIdOf(i)}`));
      const first = templates.find((s) => s.body.to === `+${waIdOf(1)}`)!.body;
      expect(first).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: `+${waIdOf(1)}`,
        type: 'template',
        template: {
          name: 'spring_sale',
          language: { code: 'en_US' },
          components: [
            { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/spring.jpg' } }] },
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Customer' },
                { type: 'text', text: '20%' },
              ],
            },
            { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'WABRIDGE_UNSUBSCRIBE' }] },
          ],
        },
        biz_opaque_callback_data: expect.stringMatching(/^wb:r:/),
      });
      const done = (await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: auth })).data;
      expect(done.status).toBe('completed');
      expect(done.progress).toBe(100);
      expect(done.counts).toMatchObject({ total: 5, queued: 0, sent: 5, delivered: 5, read: 5, failed: 0 });
      // Sent messages were billed once, at launch.
      expect(await used(auth)).toBe(before + 5);
    });

    it('when the dry run changed since the user saw it, then launch refuses and tells the new numbers', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)] });
      const { auth, numbers } = await broadcastReady(t);
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(3)), { headers: auth })).data;
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(2), 'stop');
      await t.settle();
      const refused = await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, { expectedRecipients: 3 }, { headers: auth });
      expect(refused.status).toBe(409);
      expect(refused.data.error).toMatchObject({ code: 'dry_run_changed' });
      expect(refused.data.error.message).toContain('2 recipients now');
    });

    it('when paused, then nothing is sent until resumed; when cancelled, then the unsent recipients go back to the allowance', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(6)], broadcastBatch: 2 });
      const { auth, numbers } = await broadcastReady(t);
      const before = await used(auth);
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(6)), { headers: auth })).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: auth });
      expect((await t.http.post(`/api/v1/broadcasts/${draft.id}/pause`, {}, { headers: auth })).data.pause).toEqual({ reason: 'by_user', detail: '' });
      await t.broadcastEngine.tick();
      expect(t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template')).toHaveLength(0);

      expect((await t.http.post(`/api/v1/broadcasts/${draft.id}/resume`, {}, { headers: auth })).data.status).toBe('running');
      await t.broadcastEngine.tick();
      await t.settle();
      expect(t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template')).toHaveLength(2);

      const cancelled = (await t.http.post(`/api/v1/broadcasts/${draft.id}/cancel`, {}, { headers: auth })).data;
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.counts).toMatchObject({ sent: 2, cancelled: 4, queued: 0 });
      expect(await used(auth)).toBe(before + 2);
      await runEngine(t);
      expect(t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template')).toHaveLength(2);
      expect((await t.http.post(`/api/v1/broadcasts/${draft.id}/resume`, {}, { headers: auth })).status).toBe(409);
    });

    it('when a paused broadcast is cancelled after a new period began, then its unsent messages go back to the period they were reserved from, not the new one', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(6)], broadcastBatch: 2 });
      const { auth, numbers, accountId, signIn } = await broadcastReady(t);
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(6)), { headers: auth })).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: auth });
      await t.broadcastEngine.tick();
      await t.settle();
      await t.http.post(`/api/v1/broadcasts/${draft.id}/pause`, {}, { headers: auth });
      const [{ reserved_period_id: launchPeriod }] = (await t.db.query<{ reserved_period_id: string }>(
        'select reserved_period_id from broadcasts where id = $1',
        [draft.id],
      )) as [{ reserved_period_id: string }];

      // The renewal begins while the broadcast is paused, and the account sends from it.
      const renewal = await t.licences.grantPeriod(accountId, 'user');
      t.clock.advance(31 * 86_400_000);
      await t.licences.takeOutbound(accountId, 10);
      const cancelled = (await t.http.post(`/api/v1/broadcasts/${draft.id}/cancel`, {}, { headers: await signIn() })).data;
      expect(cancelled.counts).toMatchObject({ sent: 2, cancelled: 4 });
      const usedIn = async (periodId: string) =>
        Number((await t.db.query<{ messages_used: number }>('select messages_used from licence_periods where id = $1', [periodId]))[0]!.messages_used);
      expect(await usedIn(launchPeriod)).toBe(2);
      expect(await usedIn(renewal.id)).toBe(10);
    });

    it('when scheduled, then it waits for its time; during quiet hours in the account’s zone, then it waits for them to end', async () => {
      // The demo account is in America/Sao_Paulo (UTC−3): 10:00Z is 07:00 there.
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)], now: '2026-11-21T10:00:00Z' });
      const { auth: first, numbers, signIn } = await broadcastReady(t);
      let auth = first;
      const draft = (
        await t.http.post(
          '/api/v1/broadcasts',
          springSale(numbers, leadIds(2), { scheduledAt: '2026-11-21T11:00:00Z', quietHours: { from: '21:00', to: '08:30' } }),
          { headers: auth },
        )
      ).data;
      expect((await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: auth })).data.status).toBe('scheduled');
      await runEngine(t);
      expect(t.fakeWhatsApp.sent).toHaveLength(0);

      t.clock.set('2026-11-21T11:00:00Z'); // 08:00 local: scheduled time reached, but still quiet
      await runEngine(t);
      auth = await signIn();
      const waiting = await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: auth });
      expect(waiting.data.status, JSON.stringify(waiting.data)).toBe('running');
      expect(t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template')).toHaveLength(0);

      t.clock.set('2026-11-21T11:31:00Z'); // 08:31 local
      await runEngine(t);
      expect(t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template')).toHaveLength(2);
    });

    it('when Meta pauses the template, then the broadcast pauses with the reason and resumes only once it is approved again', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)] });
      const { auth, numbers } = await broadcastReady(t);
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(3)), { headers: auth })).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: auth });
      await t.fakeWhatsApp.templateStatus(numbers[0]!.wabaId, 'spring_sale', 'en_US', 'PAUSED', 'LOW_QUALITY');
      await t.settle();
      const paused = (await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: auth })).data;
      expect(paused.status).toBe('paused');
      expect(paused.pause.reason).toBe('template_paused');
      expect(paused.pause.detail).toContain('LOW_QUALITY');
      await runEngine(t);
      expect(t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template')).toHaveLength(0);
      const early = await t.http.post(`/api/v1/broadcasts/${draft.id}/resume`, {}, { headers: auth });
      expect(early.status).toBe(409);
      expect(early.data.error.code).toBe('template_not_approved');

      await t.fakeWhatsApp.templateStatus(numbers[0]!.wabaId, 'spring_sale', 'en_US', 'APPROVED');
      await t.settle();
      expect((await t.http.post(`/api/v1/broadcasts/${draft.id}/resume`, {}, { headers: auth })).data.status).toBe('running');
      await runEngine(t);
      expect(t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.wamid)).toHaveLength(3);
    });

    it('when most recent sends fail, then the broadcast pauses itself with the reason', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(40)], broadcastBatch: 10 });
      const { auth, numbers } = await broadcastReady(t);
      const before = await used(auth);
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(40)), { headers: auth })).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: auth });
      t.fakeWhatsApp.knobs.failNext = Array(40).fill(131026);
      await runEngine(t);
      const paused = (await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: auth })).data;
      expect(paused.status).toBe('paused');
      expect(paused.pause).toEqual({ reason: 'failure_spike', detail: '20 of the last 20 messages failed. Check the failures before resuming.' });
      expect(paused.counts).toMatchObject({ failed: 20, queued: 20 });
      expect(paused.failures).toEqual([{ code: 131026, title: 'Error: Forced by the fake.', count: 20, retryable: false }]);
      // Refused sends were never billed: only the 20 still queued stay reserved.
      expect(await used(auth)).toBe(before + 20);
    });

    it('when some recipients failed, then "retry failed" sends again only to those whose errors may pass, the per-user marketing cap no sooner than 24 h after it', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(4)] });
      const { auth: first, numbers, signIn } = await broadcastReady(t);
      let auth = first;
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(4)), { headers: auth })).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: auth });
      // Sends go out in order: recipient 1 hits the per-user marketing cap (retry after 24 h), 2 is undeliverable.
      t.fakeWhatsApp.knobs.failNext = [131049, 131026];
      await runEngine(t);
      let view = (await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: auth })).data;
      expect(view.counts).toMatchObject({ sent: 2, failed: 2 });
      expect(view.failures.map((f: { code: number; retryable: boolean }) => [f.code, f.retryable]).sort()).toEqual([
        [131026, false],
        [131049, true],
      ]);

      const retried = (await t.http.post(`/api/v1/broadcasts/${draft.id}/retry-failed`, {}, { headers: auth })).data;
      expect(retried.counts).toMatchObject({ queued: 1, failed: 1 });
      // Meta asks for 24 h before the capped customer is tried again: the retry waits for it.
      t.clock.advance(24 * 3600_000 - 60_000);
      await runEngine(t);
      expect(t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.body.to === `+${waIdOf(1)}`)).toHaveLength(1);
      t.clock.advance(60_000);
      auth = await signIn();
      await runEngine(t);
      expect(t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.wamid && s.body.to === `+${waIdOf(1)}`)).toHaveLength(1);
      view = (await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: auth })).data;
      expect(view.counts).toMatchObject({ sent: 3, failed: 1 });
      expect(view.failures).toEqual([expect.objectContaining({ code: 131026, retryable: false })]);
      const again = await t.http.post(`/api/v1/broadcasts/${draft.id}/retry-failed`, {}, { headers: auth });
      expect(again.status).toBe(409);
      expect(again.data.error.code).toBe('nothing_to_retry');
    });

    it('when a customer replies or taps Unsubscribe, then the reply is attributed, noted on the lead with a task for its owner, and the opt-out counted', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)] });
      const { auth: first, numbers, signIn } = await broadcastReady(t);
      let auth = first;
      await t.http.patch('/api/v1/settings', { replyTasks: true }, { headers: auth });
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(2)), { headers: auth })).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: auth });
      await runEngine(t);
      t.clock.advance(3600_000);
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(1), 'Is the blue one on sale too?');
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(2), '', {
        message: { type: 'button', button: { payload: 'WABRIDGE_UNSUBSCRIBE', text: 'Unsubscribe' } },
      });
      await t.settle();
      await t.timeline.drain();
      auth = await signIn();

      const view = (await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: auth })).data;
      expect(view.counts).toMatchObject({ replied: 2, optedOut: 1 });
      const leadNotes = t.fake.notes.filter((n) => n.entityType === 'leads');
      expect(leadNotes.map((n) => n.entityId).sort()).toEqual([10_001, 10_002]);
      expect(String(leadNotes.find((n) => n.entityId === 10_001)!.params.text)).toContain('“Is the blue one on sale too?”');
      expect(t.fake.tasks.map((x) => [x.leadId, x.responsibleUserId])).toEqual(expect.arrayContaining([[10_001, 8_100_002]]));
      // The next broadcast leaves out the customer who unsubscribed.
      const next = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(2)), { headers: auth })).data;
      expect(next.dryRun.exclusions.opted_out).toBe(1);
    });

    it('when a reply comes after 72 hours, then it is not attributed', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth, numbers, signIn } = await broadcastReady(t);
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(1)), { headers: auth })).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: auth });
      await runEngine(t);
      t.clock.advance(73 * 3600_000);
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(1), 'Hello?');
      await t.settle();
      expect((await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: await signIn() })).data.counts.replied).toBe(0);
    });

    it('when the Kommo plan is Base, then broadcasts are refused with the reason', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)] });
      const { auth, numbers } = await broadcastReady(t, { kommoPlan: 'Base' });
      const refused = await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(2)), { headers: auth });
      expect(refused.status).toBe(403);
      expect(refused.data.error.code).toBe('kommo_plan_required');
    });

    it('when input is bad on any broadcast route, then the SPEC §8 error shape comes back and nothing changes', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)] });
      const { auth, numbers } = await broadcastReady(t);
      const bad = [
        await t.http.post('/api/v1/broadcasts', { ...springSale(numbers, leadIds(2)), audience: { source: 'deals', ids: [1] } }, { headers: auth }),
        await t.http.post('/api/v1/broadcasts', { ...springSale(numbers, leadIds(2)), quietHours: { from: '25:00', to: '08:00' } }, { headers: auth }),
        await t.http.post('/api/v1/broadcasts', { ...springSale(numbers, leadIds(2)), parameters: [{ field: 'password' }, { value: 'x' }] }, { headers: auth }),
        await t.http.post('/api/v1/broadcasts', { ...springSale(numbers, leadIds(2)), surprise: true }, { headers: auth }),
        await t.http.post('/api/v1/broadcasts', '{"name":', { headers: { ...auth, 'Content-Type': 'application/json' } }),
        await t.http.post('/api/v1/broadcasts/x/launch', { expectedRecipients: -1 }, { headers: auth }),
      ];
      for (const response of bad) {
        expect(response.status).toBe(400);
        expect(response.data.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      }
      const wrongCount = await t.http.post('/api/v1/broadcasts', { ...springSale(numbers, leadIds(2)), parameters: [{ field: 'name' }] }, { headers: auth });
      expect(wrongCount.status).toBe(400);
      expect(wrongCount.data.error.code).toBe('template_parameters');
      const noMedia = await t.http.post('/api/v1/broadcasts', { ...springSale(numbers, leadIds(2)), headerMediaUrl: undefined }, { headers: auth });
      expect(noMedia.data.error.code).toBe('header_media_required');
      for (const path of ['', '/launch', '/pause', '/resume', '/cancel', '/retry-failed']) {
        const missing = path
          ? await t.http.post(`/api/v1/broadcasts/nope${path}`, {}, { headers: auth })
          : await t.http.get('/api/v1/broadcasts/nope', { headers: auth });
        expect(missing.status, path).toBe(404);
        expect(missing.data.error.code).toBe('not_found');
      }
      expect((await t.http.get('/api/v1/broadcasts', { headers: auth })).data.broadcasts).toEqual([]);
    });

    it('when another account asks for a broadcast, then it does not exist for them', async () => {
      const B = demoKommoAccount({ id: 31_000_002, subdomain: 'other', name: 'Other Co', users: [{ id: 8_200_001, name: 'Bea', isAdmin: true }] });
      t = await startTestApp(kind, { accounts: [accountWithAudience(2), B] });
      const { auth, numbers } = await broadcastReady(t);
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(2), { saveAudienceAs: 'Spring list' }), { headers: auth })).data;
      await t.install(B.id);
      const other = (await t.session(B.id, 8_200_001)).auth;
      expect((await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: other })).status).toBe(404);
      for (const action of ['launch', 'pause', 'resume', 'cancel', 'retry-failed']) {
        expect((await t.http.post(`/api/v1/broadcasts/${draft.id}/${action}`, {}, { headers: other })).status, action).toBeGreaterThanOrEqual(403);
      }
      expect((await t.http.get('/api/v1/broadcasts', { headers: other })).data.broadcasts).toEqual([]);
      expect((await t.http.get('/api/v1/audiences', { headers: other })).data.audiences).toEqual([]);
      expect((await t.http.get('/api/v1/audiences', { headers: auth })).data.audiences).toEqual([expect.objectContaining({ name: 'Spring list', size: 2 })]);
      expect((await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: auth })).data.status).toBe('draft');
    });
  });
}
