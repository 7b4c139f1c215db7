import { afterEach, describe, expect, it } from 'vitest';
import { accountWithAudience, broadcastReady, phoneOf, runEngine, springSale, waIdOf } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

const leadIds = (n: number) => Array.from({ length: n }, (_, i) => 10_001 + i);

/** SPEC §6: an opt-out is read when each message is sent, by every path that sends templates on its own. */
for (const kind of storeKinds()) {
  describe(`opt-out at send time (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    const templatesTo = (waId: string) => t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.wamid && s.body.to === `+${waId}`);
    const used = async (auth: Record<string, string>) => (await t.http.get('/api/v1/licence', { headers: auth })).data.allowance.used as number;
    const recipient = async (broadcastId: string, waId: string) =>
      (
        await t.db.query<{ state: string; exclusion: string | null }>(
          'select state, exclusion from broadcast_recipients where broadcast_id = $1 and wa_id = $2',
          [broadcastId, waId],
        )
      )[0];

    it(
      'when recipient 500 of a 1,000-recipient broadcast opts out while it runs, then nothing more goes to them, they end excluded as opted out and their message goes back to the allowance',
      { timeout: 300_000 },
      async () => {
        t = await startTestApp(kind, { accounts: [accountWithAudience(1000)], broadcastBatch: 100 });
        const { auth, numbers } = await broadcastReady(t);
        // Only the engine's own pace matters here: no throughput cap at the fake, no status webhooks.
        t.fakeWhatsApp.knobs.throughput = 1_000_000;
        t.fakeWhatsApp.knobs.statuses = 'none';
        const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(1000)), { headers: auth })).data;
        const before = await used(auth);
        expect((await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, { expectedRecipients: 1000 }, { headers: auth })).data.status).toBe('running');
        for (let round = 0; round < 3; round++) await t.broadcastEngine.tick();
        // Mid-run: a few hundred sent, recipient 500 not reached yet.
        expect(t.fakeWhatsApp.sent.filter((s) => s.wamid).length).toBeGreaterThan(200);
        expect(await recipient(draft.id, waIdOf(500))).toEqual({ state: 'queued', exclusion: null });

        // Customer 500 writes STOP: the opt-out is committed before the engine goes on.
        await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(500), 'STOP');
        await t.settle();
        const [stopped] = await t.db.query<{ opted_out_at: Date | null }>('select opted_out_at from conversations where wa_id = $1', [waIdOf(500)]);
        expect(stopped?.opted_out_at).not.toBeNull();
        const atOptOut = t.fakeWhatsApp.sent.length;

        await runEngine(t, 100);
        // A send left unanswered on a loaded machine is settled by reconciliation once its grace period passes.
        for (
          let i = 0;
          i < 3 && (await t.db.query(`select 1 from broadcast_recipients where broadcast_id = $1 and state in ('queued', 'sending')`, [draft.id])).length;
          i++
        ) {
          t.clock.advance(180_000);
          await runEngine(t, 100);
        }
        expect(t.fakeWhatsApp.sent.slice(atOptOut).filter((s) => s.body.to === `+${waIdOf(500)}`)).toHaveLength(0);
        expect(templatesTo(waIdOf(500))).toHaveLength(0);
        expect(new Set(t.fakeWhatsApp.sent.filter((s) => s.wamid).map((s) => s.body.to)).size).toBe(999);
        expect(await recipient(draft.id, waIdOf(500))).toEqual({ state: 'excluded', exclusion: 'opted_out' });
        const done = (await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: auth })).data;
        expect(done.status).toBe('completed');
        expect(done.counts).toMatchObject({ total: 999, sent: 999, queued: 0 });
        expect(await used(auth)).toBe(before + 999);
      },
    );

    it('when a customer taps Unsubscribe in broadcast A, then the scheduled broadcast B skips them and gives their message back', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)] });
      const { auth: first, numbers, signIn } = await broadcastReady(t);
      let auth = first;
      const a = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(3), { name: 'A' }), { headers: auth })).data;
      const b = (
        await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(3), { name: 'B', scheduledAt: '2026-11-22T12:00:00Z' }), { headers: auth })
      ).data;
      await t.http.post(`/api/v1/broadcasts/${a.id}/launch`, { expectedRecipients: 3 }, { headers: auth });
      expect((await t.http.post(`/api/v1/broadcasts/${b.id}/launch`, { expectedRecipients: 3 }, { headers: auth })).data.status).toBe('scheduled');
      await runEngine(t);
      expect(templatesTo(waIdOf(2))).toHaveLength(1);
      const afterLaunches = await used(auth);

      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(2), '', {
        message: { type: 'button', button: { payload: 'WABRIDGE_UNSUBSCRIBE', text: 'Unsubscribe' } },
      });
      await t.settle();
      t.clock.set('2026-11-22T12:00:00Z');
      auth = await signIn();
      await runEngine(t);

      expect(templatesTo(waIdOf(1))).toHaveLength(2);
      expect(templatesTo(waIdOf(2))).toHaveLength(1);
      expect(await recipient(b.id, waIdOf(2))).toEqual({ state: 'excluded', exclusion: 'opted_out' });
      const view = (await t.http.get(`/api/v1/broadcasts/${b.id}`, { headers: auth })).data;
      expect(view.status).toBe('completed');
      expect(view.counts).toMatchObject({ total: 2, sent: 2 });
      expect(await used(auth)).toBe(afterLaunches - 1);
    });

    it('when a failed recipient opted out before "retry failed", then the retry sends nothing to them', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)] });
      const { auth: first, numbers, signIn } = await broadcastReady(t);
      let auth = first;
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, leadIds(2)), { headers: auth })).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: auth });
      // Recipient 1 hits the per-user marketing cap: retryable, after 24 h.
      t.fakeWhatsApp.knobs.failNext = [131049];
      await runEngine(t);
      expect(templatesTo(waIdOf(1))).toHaveLength(0);
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(1), 'STOP');
      await t.settle();

      t.clock.advance(25 * 3600_000);
      auth = await signIn();
      const before = await used(auth);
      expect((await t.http.post(`/api/v1/broadcasts/${draft.id}/retry-failed`, {}, { headers: auth })).status).toBe(200);
      await runEngine(t);
      expect(templatesTo(waIdOf(1))).toHaveLength(0);
      expect(await recipient(draft.id, waIdOf(1))).toEqual({ state: 'excluded', exclusion: 'opted_out' });
      expect(await used(auth)).toBe(before);
    });

    it('when the digital pipeline would send to a customer who opted out, then nothing is sent and the run records opted_out with a note on the lead', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { numbers, auth } = await broadcastReady(t);
      const automation = await t.http.post(
        '/api/v1/automations',
        { name: 'Order update', template: 'order_update', language: 'en_US', parameters: ['{{contact.first_name}}', '{{lead.name}}'] },
        { headers: auth },
      );
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(1), 'STOP');
      await t.settle();
      await t.fake.moveLeadToStage(31_000_001, 10_001, 555_001, { automation: automation.data.id });
      await t.settle();
      await t.digitalPipeline.processPending();
      await t.settle();
      expect(templatesTo(waIdOf(1))).toHaveLength(0);
      const [run] = await t.db.query<{ outcome: string; detail: string }>('select outcome, detail from dp_runs');
      expect(run!.outcome).toBe('opted_out');
      // The note goes through the Kommo outbox, which a drain already running may still be writing.
      await expect
        .poll(
          async () => {
            await t.timeline.drain();
            return String(t.fake.notes.find((n) => n.entityType === 'leads' && n.entityId === 10_001)?.params.text);
          },
          { timeout: 10_000 },
        )
        .toContain('opted out');
    });

    it('when a public-API template send names a customer who opted out, then it is refused with opted_out and nothing is sent', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth, numbers } = await broadcastReady(t);
      const key = (await t.http.post('/api/v1/api-keys', { name: 'Zapier' }, { headers: auth })).data.key as string;
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(1), 'STOP');
      await t.settle();
      const refused = await t.http.post(
        '/api/v1/messages',
        { type: 'template', numberId: numbers[0]!.id, to: phoneOf(1), name: 'order_update', language: 'en_US', bodyParameters: ['Ana', '#1'] },
        { headers: { Authorization: `Bearer ${key}` } },
      );
      expect(refused.status).toBe(409);
      expect(refused.data.error.code).toBe('opted_out');
      expect(templatesTo(waIdOf(1))).toHaveLength(0);
    });
  });
}
