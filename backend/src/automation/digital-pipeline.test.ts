import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_AGENT_ID } from '../../../fakes/kommo/fake-kommo-data';
import { accountWithAudience, broadcastReady, waIdOf } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { fillParameters } from './automation-rules';

const AUTOMATION = { name: 'Order update', template: 'order_update', language: 'en_US', parameters: ['{{contact.first_name}}', '{{lead.name}}'] };

for (const kind of storeKinds()) {
  describe(`the Kommo digital-pipeline action (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    const templatesTo = (waId: string) => t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.wamid && s.body.to === `+${waId}`);
    const templates = () => t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template');
    const run = async () => {
      await t.settle();
      await t.digitalPipeline.processPending();
      await t.settle();
    };
    const ready = async (leads = 2) => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(leads)] });
      const setup = await broadcastReady(t);
      const created = await t.http.post('/api/v1/automations', AUTOMATION, { headers: setup.auth });
      expect(created.status).toBe(201);
      return { ...setup, automationId: created.data.id as string };
    };

    it('when a lead enters the stage and Kommo calls the hook twice, then the stored template goes once to its main contact and the outcome is noted on the lead', async () => {
      const { automationId } = await ready();
      const statuses = await t.fake.moveLeadToStage(DEMO_ACCOUNT_ID, 10_001, 555_001, { automation: automationId }, { times: 2 });
      expect(statuses).toEqual([200, 200]);
      await run();
      const sent = templatesTo(waIdOf(1));
      expect(sent).toHaveLength(1);
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
      await t.timeline.drain();
      const notes = t.fake.notes.filter((n) => n.entityType === 'leads' && n.entityId === 10_001);
      expect(notes.map((n) => n.params.text)).toEqual([
        `WhatsApp template “order_update” sent to Customer 1 (+${waIdOf(1)}) by the digital pipeline: Customer, Lead 1.`,
      ]);
    });

    it('when a stage entry waited more than ten minutes and two drains run at once, then its template goes once', async () => {
      const account = accountWithAudience(1);
      account.leads[0]!.statusId = 555_001;
      t = await startTestApp(kind, { accounts: [account] });
      const setup = await broadcastReady(t);
      const created = await t.http.post('/api/v1/automations', AUTOMATION, { headers: setup.auth });
      // What a stopped instance leaves: the entry stored, not acted on, found again eleven minutes later.
      await t.db.query('insert into dp_runs (id, account_id, automation_id, lead_id, status_id, created_at) values ($1, $2, $3, $4, $5, $6)', [
        'run-left',
        setup.accountId,
        created.data.id,
        10_001,
        555_001,
        t.clock.now(),
      ]);
      t.clock.advance(11 * 60_000);
      // The other drain claims while the first is still reading the lead from Kommo.
      await Promise.all([t.digitalPipeline.processPending(), t.digitalPipeline.processPending()]);
      await t.settle();
      expect(templatesTo(waIdOf(1))).toHaveLength(1);
    });

    it('when Kommo calls again for the same stage entry with another event time, then nothing more is sent', async () => {
      const { automationId } = await ready();
      await t.fake.moveLeadToStage(DEMO_ACCOUNT_ID, 10_001, 555_001, { automation: automationId });
      await run();
      t.clock.advance(3_600_000);
      await t.fake.moveLeadToStage(DEMO_ACCOUNT_ID, 10_001, 555_001, { automation: automationId }, { time: Math.floor(t.clock.now().getTime() / 1000) + 1 });
      await run();
      expect(templatesTo(waIdOf(1))).toHaveLength(1);
    });

    it('when the lead left the stage and came back (Kommo shows it in another stage in between), then the new entry sends again', async () => {
      const { automationId, auth } = await ready();
      const other = await t.http.post('/api/v1/automations', { ...AUTOMATION, name: 'Won' }, { headers: auth });
      await t.fake.moveLeadToStage(DEMO_ACCOUNT_ID, 10_001, 555_001, { automation: automationId });
      await run();
      await t.fake.moveLeadToStage(DEMO_ACCOUNT_ID, 10_001, 555_002, { automation: other.data.id });
      await run();
      await t.fake.moveLeadToStage(DEMO_ACCOUNT_ID, 10_001, 555_001, { automation: automationId });
      await run();
      // Entered 555_001, then 555_002, then 555_001 again: three entries, three sends.
      expect(templatesTo(waIdOf(1))).toHaveLength(3);
      expect((await t.db.query<{ status_id: string }>('select status_id from dp_runs where left_at is null')).map((r) => Number(r.status_id))).toEqual([
        555_001,
      ]);
    });

    it('when a call names a stage the lead is not in, then nothing is sent, and the lead entering that stage later sends once', async () => {
      const { automationId } = await ready();
      const forged = {
        event: { type_code: 'lead_appeared_in_status', data: { id: 10_002, status_id: 999, pipeline_id: 1 }, time: 1 },
        action: { settings: { widget: { settings: { automation: automationId } } } },
        account_id: DEMO_ACCOUNT_ID,
      };
      expect((await t.http.post('/kommo/dp', forged)).status).toBe(200);
      await run();
      expect(templatesTo(waIdOf(2))).toHaveLength(0);
      const [skipped] = await t.db.query<{ outcome: string }>('select outcome from dp_runs');
      expect(skipped!.outcome).toBe('skipped');
      await t.fake.moveLeadToStage(DEMO_ACCOUNT_ID, 10_002, 999, { automation: automationId }, { times: 2 });
      await run();
      expect(templatesTo(waIdOf(2))).toHaveLength(1);
    });

    it('when the call carries a template, text, language or number of its own, then only the stored automation is sent', async () => {
      const { automationId } = await ready();
      await t.fake.moveLeadToStage(DEMO_ACCOUNT_ID, 10_001, 555_001, {
        automation: automationId,
        template: 'spring_sale',
        language: 'es',
        parameters: 'Pay at evil.example',
        number: '+1 555 0000',
      });
      await run();
      expect(
        templates()
          .map((s) => s.body.template as { name: string; language: { code: string } })
          .map((x) => [x.name, x.language.code]),
      ).toEqual([['order_update', 'en_US']]);
      expect(JSON.stringify(templates())).not.toContain('evil.example');
    });

    it('when a call names no automation, an unknown one, or one of another account, then every answer is the same and nothing is recorded', async () => {
      const { automationId } = await ready();
      const call = (account: number, automation?: string) =>
        t.http.post('/kommo/dp', {
          event: { type_code: 'lead_appeared_in_status', data: { id: 10_001, status_id: 555_001 }, time: 1 },
          action: { settings: { widget: { settings: automation === undefined ? {} : { automation } } } },
          account_id: account,
        });
      const answers = [
        await call(DEMO_ACCOUNT_ID),
        await call(DEMO_ACCOUNT_ID, 'AAAAAAAAAAAAAAAAAAAAAA'),
        await call(42, automationId),
        await call(DEMO_ACCOUNT_ID, automationId.slice(0, 21)),
      ];
      for (const a of answers) expect([a.status, a.data]).toEqual([200, { ok: true }]);
      await run();
      expect(await t.db.query('select 1 from dp_runs')).toHaveLength(0);
      expect(templates()).toHaveLength(0);
    });

    it('when the automation is deleted, then a call naming it sends nothing', async () => {
      const { automationId, auth } = await ready();
      expect((await t.http.delete(`/api/v1/automations/${automationId}`, { headers: auth })).status).toBe(204);
      await t.fake.moveLeadToStage(DEMO_ACCOUNT_ID, 10_001, 555_001, { automation: automationId });
      await run();
      expect(templates()).toHaveLength(0);
    });

    it('when the automation names a number, then the template goes from that number', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth, numbers } = await broadcastReady(t, { numbers: 2 });
      const created = await t.http.post('/api/v1/automations', { ...AUTOMATION, numberId: numbers[1]!.id }, { headers: auth });
      await t.fake.moveLeadToStage(DEMO_ACCOUNT_ID, 10_001, 555_001, { automation: created.data.id });
      await run();
      const sent = templatesTo(waIdOf(1));
      expect(sent).toHaveLength(1);
      expect(sent[0]!.phoneNumberId).toBe(numbers[1]!.phoneNumberId);
    });
  });

  describe(`digital-pipeline automations in the widget (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when an admin creates an automation, then it gets an unguessable id, is listed for the account, can be changed and deleted, and each change is audited', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth } = await broadcastReady(t);
      const a = await t.http.post('/api/v1/automations', AUTOMATION, { headers: auth });
      const b = await t.http.post('/api/v1/automations', { ...AUTOMATION, name: 'Second' }, { headers: auth });
      expect(a.status).toBe(201);
      expect(a.data).toMatchObject({ ...AUTOMATION, numberId: null });
      // 128 random bits, base64url.
      expect(a.data.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(a.data.id).not.toBe(b.data.id);
      const changed = await t.http.put(`/api/v1/automations/${a.data.id}`, { ...AUTOMATION, name: 'Renamed', parameters: [] }, { headers: auth });
      expect(changed.data).toMatchObject({ id: a.data.id, name: 'Renamed', parameters: [] });
      expect((await t.http.delete(`/api/v1/automations/${b.data.id}`, { headers: auth })).status).toBe(204);
      const list = await t.http.get('/api/v1/automations', { headers: auth });
      expect(list.data.automations.map((x: { name: string }) => x.name)).toEqual(['Renamed']);
      const audits = await t.db.query<{ action: string }>(`select action from audit_log where action like 'automation.%' order by id`);
      expect(audits.map((x) => x.action)).toEqual(['automation.created', 'automation.created', 'automation.updated', 'automation.deleted']);
    });

    it('when an agent tries to create, change or delete an automation, then it is refused', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth } = await broadcastReady(t);
      const a = await t.http.post('/api/v1/automations', AUTOMATION, { headers: auth });
      const agent = (await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID)).auth;
      expect((await t.http.post('/api/v1/automations', AUTOMATION, { headers: agent })).data.error.code).toBe('admin_only');
      expect((await t.http.put(`/api/v1/automations/${a.data.id}`, AUTOMATION, { headers: agent })).status).toBe(403);
      expect((await t.http.delete(`/api/v1/automations/${a.data.id}`, { headers: agent })).status).toBe(403);
      expect((await t.http.get('/api/v1/automations', { headers: auth })).data.automations).toHaveLength(1);
    });

    it('when the account is on Kommo Base, then no automation can be created and a stored one sends nothing', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth, signIn } = await broadcastReady(t);
      const a = await t.http.post('/api/v1/automations', AUTOMATION, { headers: auth });
      const base = await t.http.post(
        '/api/v1/session',
        { kommoPlan: { name: 'Base' } },
        { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, 8_100_001) } },
      );
      expect(base.status).toBe(201);
      void signIn;
      const refused = await t.http.post('/api/v1/automations', AUTOMATION, { headers: auth });
      expect(refused.status).toBe(403);
      await t.fake.moveLeadToStage(DEMO_ACCOUNT_ID, 10_001, 555_001, { automation: a.data.id });
      await t.settle();
      await t.digitalPipeline.processPending();
      await t.settle();
      expect(t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template')).toHaveLength(0);
    });

    it('when the automation names a number of another account or a bad template, then it is refused naming the field', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth } = await broadcastReady(t);
      const number = await t.http.post('/api/v1/automations', { ...AUTOMATION, numberId: 'not-ours' }, { headers: auth });
      expect(number.status).toBe(400);
      expect(number.data.error.issues).toEqual([{ path: 'body.numberId', message: 'is not a number connected to this account' }]);
      const template = await t.http.post('/api/v1/automations', { ...AUTOMATION, template: 'Hello there' }, { headers: auth });
      expect(template.data.error.issues.map((i: { path: string }) => i.path)).toEqual(['body.template']);
    });

    it('when an admin asks for another account’s automation, then it is not found', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth } = await broadcastReady(t);
      expect((await t.http.put('/api/v1/automations/AAAAAAAAAAAAAAAAAAAAAA', AUTOMATION, { headers: auth })).status).toBe(404);
      expect((await t.http.delete('/api/v1/automations/AAAAAAAAAAAAAAAAAAAAAA', { headers: auth })).status).toBe(404);
    });
  });
}

describe('automation parameters', () => {
  it('when parameters name the contact and the lead, then they are filled from Kommo, the first name falling back to the name’s first word', () => {
    expect(
      fillParameters(['Hi {{contact.first_name}}', '{{ lead.name }}', '{{contact.name}}', 'fixed'], {
        contactName: 'Maria Silva',
        contactFirstName: '',
        leadName: 'Order 7',
      }),
    ).toEqual(['Hi Maria', 'Order 7', 'Maria Silva', 'fixed']);
  });
});
