import { describe, expect, it } from 'vitest';
import { isStopWord } from '../whatsapp/message-status';
import { unsubscribePath, type TemplateRow } from './broadcast-rules';
import { isOptOutLine, isUnsubscribeButton } from './opt-out-phrases';

const template = (language: string, parts: Partial<TemplateRow>): TemplateRow => ({
  name: 't',
  language,
  status: 'APPROVED',
  category: 'MARKETING',
  body_text: 'Hi {{1}}',
  param_count: 1,
  header_format: null,
  footer_text: null,
  buttons: [],
  ...parts,
});

describe('opt-out phrases (SPEC §6)', () => {
  it('when a template line only holds a stop word inside other text, then it is no way to unsubscribe', () => {
    const cases: [string, string][] = [
      ['es', 'Aprovecha este descuento alto'],
      ['es', 'Precios en baja toda la semana'],
      ['pt', 'Pode cancelar seu pedido a qualquer momento'],
      ['en', 'Non-stop deals all weekend'],
      ['en', 'Reply to chat with us, we never stop.'],
      ['pt', 'Responda CANCELAR para cancelar seu pedido'],
    ];
    for (const [language, line] of cases) {
      expect(isOptOutLine(line, language), line).toBe(false);
      expect(unsubscribePath(template(language, { footer_text: line })), line).toBeNull();
      expect(unsubscribePath(template(language, { body_text: `Hola {{1}}\n${line}` })), line).toBeNull();
    }
  });

  it('when a template line holds an opt-out phrase of its language, then it is the way to unsubscribe', () => {
    const cases: [string, string][] = [
      ['en_US', 'Reply STOP to unsubscribe'],
      ['en', 'Text STOP to opt out.'],
      ['en_GB', 'To stop receiving these messages, reply with *STOP*.'],
      ['en', 'Send "unsubscribe" to opt-out'],
      ['es', 'Responde BAJA para no recibir más'],
      ['es_MX', 'Para darte de baja, envía STOP'],
      ['es', 'Contesta ALTO si deseas dejar de recibir mensajes'],
      ['pt_BR', 'Responda SAIR para cancelar'],
      ['pt', 'Para não receber mais mensagens, envie PARAR.'],
      ['pt_BR', 'Digite SAIR para deixar de receber ofertas'],
      ['ru', 'Ответьте СТОП, чтобы отписаться'],
      ['ru', 'Чтобы не получать рассылку, напишите «стоп»'],
    ];
    for (const [language, line] of cases) {
      expect(isOptOutLine(line, language), line).toBe(true);
      expect(unsubscribePath(template(language, { footer_text: line })), line).toEqual({ kind: 'line' });
      expect(unsubscribePath(template(language, { body_text: `Hi {{1}}, new offers.\n${line}` })), line).toEqual({ kind: 'line' });
    }
  });

  it('when the phrase is of another language than the template, or names no word the inbox obeys, then it does not count', () => {
    const cases: [string, string][] = [
      ['es', 'Reply STOP to unsubscribe'],
      ['de', 'Antworte STOPP zum Abmelden'],
      ['en', 'Reply QUIT to unsubscribe'],
      ['en', 'Reply UNSUBSCRIBE'],
    ];
    for (const [language, line] of cases) {
      expect(isOptOutLine(line, language), line).toBe(false);
      expect(unsubscribePath(template(language, { footer_text: line })), line).toBeNull();
    }
  });

  it('when a quick-reply button says it unsubscribes, then it is the way out; a button that only contains a stop word is not', () => {
    for (const text of ['Stop promotions', 'Unsubscribe', 'Darse de baja', 'Cancelar inscrição', 'Отписаться', 'STOP']) {
      expect(isUnsubscribeButton(text), text).toBe(true);
    }
    for (const text of ['Non-stop deals', 'Cancelar pedido', 'Precios en baja', 'Shop now']) {
      expect(isUnsubscribeButton(text), text).toBe(false);
    }
    expect(unsubscribePath(template('en', { buttons: [{ type: 'QUICK_REPLY', text: 'Non-stop deals' }] }))).toBeNull();
    expect(unsubscribePath(template('pt', { buttons: [{ type: 'QUICK_REPLY', text: 'Cancelar pedido' }] }))).toBeNull();
    const t = template('es', {
      buttons: [
        { type: 'QUICK_REPLY', text: 'Ver ofertas' },
        { type: 'URL', text: 'Darse de baja' },
        { type: 'QUICK_REPLY', text: 'Darse de baja' },
      ],
    });
    expect(unsubscribePath(t)).toEqual({ kind: 'button', index: 2 });
  });

  it('when a customer writes only a stop word of our locales, then the inbox opts them out; a sentence holding one does not', () => {
    for (const text of ['STOP', 'baja', 'Sair', 'стоп!', ' Alto. ', 'WABRIDGE_UNSUBSCRIBE']) expect(isStopWord(text), text).toBe(true);
    for (const text of ['descuento alto', 'Non-stop deals', 'Pode cancelar seu pedido']) expect(isStopWord(text), text).toBe(false);
  });
});
