import type { Response } from 'express';

/**
 * JSON the store wrote (docs/decisions/038): text sent as it is, never parsed and written again.
 * A value of this type is JSON text, not any string.
 */
export type JsonText = string & { readonly __json: true };

/** The object's JSON text with one more member, `key`, whose value is JSON text already. */
export function withJsonMember(head: object, key: string, value: JsonText | null): JsonText {
  const text = JSON.stringify(head);
  return `${text.slice(0, -1)}${text === '{}' ? '' : ','}${JSON.stringify(key)}:${value ?? 'null'}}` as JsonText;
}

/** Answers with JSON text as it is. */
export function sendJsonText(res: Response, text: JsonText) {
  res.type('application/json').send(text);
}
