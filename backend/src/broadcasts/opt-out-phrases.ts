import { STOP_WORDS } from '../whatsapp/message-status';

/**
 * How a template tells the customer to stop (SPEC §6). A line counts only when it holds an opt-out
 * phrase of the template's language: a verb asking the customer to write (reply, send, text…), one
 * of the keywords our inbox recognises as an opt-out (so the customer's answer really opts them out),
 * and what it does (to unsubscribe, opt out, stop receiving…), in either order:
 * "Reply STOP to unsubscribe", "Para no recibir más, responde BAJA", "Responda SAIR para cancelar",
 * "Ответьте СТОП, чтобы отписаться". A lone word ("descuento alto", "precios en baja",
 * "Pode cancelar seu pedido", "Non-stop deals") is not a way out. A language we have no phrases for
 * (anything but en, es, pt, ru) can only use the quick-reply button.
 */
const PHRASES: Record<string, { verbs: string; fillers: string; goals: string }> = {
  en: {
    verbs: 'reply|send|text|txt|respond|message|write|type',
    fillers: 'with|us|back|the word',
    goals:
      'unsubscribe|opt[\\s-]?out|stop (?:receiving|getting)|no longer (?:receive|get)|stop (?:these|our|all|further|future) (?:messages|offers|promotions)|be removed',
  },
  es: {
    verbs:
      'responde|responda|respondé|respondenos|respóndenos|contesta|conteste|contestá|envía|envia|envíe|envie|enviá|escribe|escriba|escribí|manda|mande|mandá',
    fillers: 'con|la palabra|nos',
    goals: 'no recibir|dejar de recibir|dar(?:te|se|me)? de baja|desuscribir(?:te|se|me)?|anular (?:tu |la )?suscripción|cancelar (?:tu |la )?suscripción',
  },
  pt: {
    verbs: 'responda|responde|envie|envia|mande|manda|digite|digita|escreva|escreve',
    fillers: 'com|a palavra',
    goals:
      'cancelar (?:a |sua )?(?:inscrição|assinatura|o recebimento)|descadastrar|não receber|nao receber|deixar de receber|parar de receber|sair da lista|(?:cancelar|sair)(?=\\s*(?:[.!;)]|$))',
  },
  ru: {
    verbs: 'ответьте|ответь|отправьте|отправь|напишите|напиши|пришлите|пришли|введите',
    fillers: 'нам|слово',
    goals: 'отписаться|отписки|не получать|отказаться от (?:рассылки|сообщений)|прекратить (?:рассылку|получение)',
  },
};

const EDGE_BEFORE = '(?<![\\p{L}\\p{N}])';
const EDGE_AFTER = '(?![\\p{L}\\p{N}])';
const QUOTES = '[\\s:«»"“”„\'‘’*_]';

const patterns = new Map(
  Object.entries(PHRASES).map(([locale, p]) => {
    const ask = `${EDGE_BEFORE}(?:${p.verbs})(?:\\s+(?:${p.fillers}))*${QUOTES}+(?:${STOP_WORDS.join('|')})${EDGE_AFTER}`;
    return [locale, { ask: new RegExp(ask, 'iu'), goal: new RegExp(`${EDGE_BEFORE}(?:${p.goals})${EDGE_AFTER}`, 'iu') }];
  }),
);

/** Whether one line of a template (body or footer) tells, in the template's language, how to opt out. */
export function isOptOutLine(line: string, language: string): boolean {
  const p = patterns.get(language.slice(0, 2).toLowerCase());
  if (!p) return false;
  const ask = p.ask.exec(line);
  // The goal is read from the rest of the line, so "Reply UNSUBSCRIBE" alone does not count twice.
  return !!ask && p.goal.test(line.slice(0, ask.index) + ' ' + line.slice(ask.index + ask[0].length));
}

/** Whether any line of these texts tells how to opt out. */
export function hasOptOutLine(texts: string[], language: string): boolean {
  return texts.some((text) => text.split('\n').some((line) => isOptOutLine(line, language)));
}

/**
 * A quick-reply button whose text says it unsubscribes ("Unsubscribe", "Stop promotions", "Darse de
 * baja", "Cancelar inscrição", "Отписаться"): it must start with the opt-out words, so "Non-stop
 * deals" or "Cancelar pedido" is not one. We send it with our unsubscribe payload, so a tap opts out.
 */
const BUTTON = new RegExp(
  `^\\s*(?:stop|unsubscribe|opt[\\s-]?out|no more (?:messages|offers|promotions)|(?:darse|darme|darte|dar) de baja|baja|desuscribir(?:se|me)?|no recibir|dejar de recibir|cancelar (?:inscrição|assinatura|suscripción)|descadastrar|sair|parar|não receber|отписаться|стоп|отказаться)${EDGE_AFTER}`,
  'iu',
);

export function isUnsubscribeButton(text: string): boolean {
  return BUTTON.test(text);
}
