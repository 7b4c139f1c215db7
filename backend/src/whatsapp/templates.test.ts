import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { chatReady } from '../../test/whatsapp-helpers';
import { countParams } from './templates-service';

describe('template placeholders', () => {
  it('when a body has {{1}} and {{2}}, then it takes 2 parameters', () => {
    expect(countParams('Hello {{1}}, your order {{2}} is on its way.')).toBe(2);
    expect(countParams('No parameters')).toBe(0);
    expect(countParams('{{ 3 }} then {{1}}')).toBe(3);
  });
});

for (const kind of storeKinds()) {
  describe(`templates (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when a number is connected, then its approved templates are listed with their parameters; paused ones are not', async () => {
      t = await startTestApp(kind);
      const { auth, number } = await chatReady(t, { customerWrites: false });
      const list = (await t.http.get(`/api/v1/numbers/${number.id}/templates`, { headers: auth })).data.templates;
      expect(list.map((x: { name: string }) => x.name)).toEqual(['come_back', 'order_update', 'pedido_enviado', 'spring_sale']);
      expect(list.find((x: { name: string }) => x.name === 'order_update')).toEqual({
        name: 'order_update',
        language: 'en_US',
        category: 'UTILITY',
        body: 'Hello {{1}}, your order {{2}} is on its way.',
        paramCount: 2,
        headerFormat: null,
      });
    });

    it('when Meta approves a new template, then a refresh on demand brings it', async () => {
      t = await startTestApp(kind);
      const { auth, number, fakeNumber } = await chatReady(t, { customerWrites: false });
      t.fakeWhatsApp.templates.set(fakeNumber.wabaId, [
        { name: 'fresh_one', language: 'pt_BR', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Oi {{1}}' }] },
      ]);
      const refreshed = await t.http.post(`/api/v1/numbers/${number.id}/templates/sync`, {}, { headers: auth });
      expect(refreshed.data.templates.map((x: { name: string }) => x.name)).toEqual(['fresh_one']);
    });

    it('when a template is unknown, paused, or given the wrong number of parameters, then it is refused before anything is sent', async () => {
      t = await startTestApp(kind);
      const { auth, conversation } = await chatReady(t, { customerWrites: false });
      const before = t.fakeWhatsApp.sent.length;
      const send = (body: object) => t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'template', ...body }, { headers: auth });
      expect((await send({ name: 'nope', language: 'en_US' })).data.error.code).toBe('template_unknown');
      const paused = await send({ name: 'old_promo', language: 'en_US' });
      expect(paused.status).toBe(409);
      expect(paused.data.error.code).toBe('template_not_approved');
      const wrong = await send({ name: 'order_update', language: 'en_US', bodyParameters: ['only one'] });
      expect(wrong.data.error).toMatchObject({ code: 'template_parameters', message: 'The template “order_update” takes 2 parameters; 1 were given.' });
      expect(t.fakeWhatsApp.sent.length).toBe(before);
      expect((await t.http.get('/api/v1/licence', { headers: auth })).data.allowance.used).toBe(0);
    });
  });
}
