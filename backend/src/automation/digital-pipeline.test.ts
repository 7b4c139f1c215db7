import { afterEach, describe, expect, it } from 'vitest';
import { accountWithAudience, broadcastReady, waIdOf } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

const SETTINGS = { template: 'order_update', language: 'en_US', parameters: '{{contact.first_name}}|{{lead.name}}', number: '' };

for (const kind of storeKinds()) {
  describe(`the Kommo digital-pipeline action (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    const templatesTo = (waId: string) => t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.wamid && s.body.to === `+${waId}`);

    it('when a lead enters the stage and Kommo calls the hook twice, then one template goes to its main contact and the outcome is noted on the lead', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)] });
      await broadcastReady(t);
      const statuses = await t.fake.moveLeadToStage(31_000_001, 10_001, 555_001, SETTINGS, { times: 2 });
      expect(statuses).toEqual([200, 200]);
      await t.settle();
      await t.digitalPipeline.processPending();
      await t.settle();
      const sent = templatesTo(waIdOf(1));
      expect(sent).toHaveLength(1);
      expect(sent[0]!.body.template).toMatchObject({ name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Customer' }, { type: 'text', text: 'Lead 1' }] }] });
      await t.timeline.drain();
      const notes = t.fake.notes.filter((n) => n.entityType === 'leads' && n.entityId === 10_001);
      expect(notes.map((n) => n.params.text)).toEqual([`WhatsApp template “order_update” sent to Customer 1 (+${waIdOf(1)}) by the digital pipeline: Customer, Lead 1.`]);

      // A later entry into the same stage is a new entry: it sends again.
      t.clock.advance(3600_000);
      await t.fake.moveLeadToStage(31_000_001, 10_001, 555_001, SETTINGS);
      await t.settle();
      await t.digitalPipeline.processPending();
      await t.settle();
      expect(templatesTo(waIdOf(1))).toHaveLength(2);
    });

    it('when the call claims a stage the lead is not in, is stale, or names no installed account, then nothing is sent', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)] });
      await broadcastReady(t);
      const forged = {
        event: { type_code: 'lead_appeared_in_status', data: { id: 10_002, status_id: 999, pipeline_id: 1 }, time: Math.floor(t.clock.now().getTime() / 1000) },
        action: { settings: { widget: { settings: SETTINGS } } },
        account_id: 31_000_001,
      };
      expect((await t.http.post('/kommo/dp', forged)).status).toBe(200);
      const stale = await t.http.post('/kommo/dp', { ...forged, event: { ...forged.event, time: 1_600_000_000 } });
      expect(stale.status).toBe(400);
      expect(stale.data.error.code).toBe('stale_event');
      const unknown = await t.http.post('/kommo/dp', { ...forged, account_id: 42 });
      expect(unknown.data.error.code).toBe('unknown_account');
      const bad = await t.http.post('/kommo/dp', { event: { type_code: 'x' } });
      expect(bad.status).toBe(400);
      expect(bad.data.error.code).toBe('invalid_request');
      await t.settle();
      await t.digitalPipeline.processPending();
      await t.settle();
      expect(templatesTo(waIdOf(2))).toHaveLength(0);
      const [run] = await t.db.query<{ outcome: string }>('select outcome from dp_runs');
      expect(run!.outcome).toBe('skipped');
    });

    it('when the settings name no template, then nothing is sent and the lead gets a note saying what to fix', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      await broadcastReady(t);
      await t.fake.moveLeadToStage(31_000_001, 10_001, 555_001, { template: '' });
      await t.settle();
      await t.digitalPipeline.processPending();
      await t.timeline.drain();
      expect(t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template')).toHaveLength(0);
      expect(String(t.fake.notes.find((n) => n.entityType === 'leads')?.params.text)).toContain('not set up right: template');
    });
  });
}
