import { z } from 'zod';
import { BroadcastIdParams, BroadcastList, BroadcastTemplateList, BroadcastView, CreateBroadcastInput, LaunchInput } from '../../../contract/broadcasts';
import { ErrorBody } from '../../../contract/error';
import { LicenceStatus } from '../../../contract/licence';
import { ConversationsQuery, PublicSendInput } from '../../../contract/public-api';
import {
  ConversationIdParams,
  ConversationList,
  ConversationView,
  MediaQuery,
  MessagePage,
  MessagesQuery,
  MessageView,
  NumberIdParams,
  NumberList,
  OpenConversationInput,
  TemplateList,
} from '../../../contract/whatsapp';

/** One route of the public API: the zod schemas its handler parses with, and what it answers. */
export interface PublicRoute {
  method: 'get' | 'post';
  path: string;
  summary: string;
  tag: 'Messages' | 'Conversations' | 'Numbers' | 'Broadcasts' | 'Licence';
  params?: z.core.$ZodObject;
  query?: z.core.$ZodObject;
  body?: z.core.$ZodType;
  /** A raw file body instead of JSON. */
  rawBody?: boolean;
  status: number;
  response: z.core.$ZodType;
  idempotent?: boolean;
}

/**
 * The public API: the routes an API key may call (everything else refuses keys), and the source of
 * `/openapi.json`. The schemas are the very objects the routes parse with, so the document cannot
 * drift from the code; a test calls each route and validates the real answer against it.
 */
export const PUBLIC_ROUTES: PublicRoute[] = [
  {
    method: 'post',
    path: '/api/v1/messages',
    tag: 'Messages',
    summary:
      'Send a text, template, or media (by link) message to a phone from one of your numbers; a template to a customer who opted out is refused (409 `opted_out`)',
    body: PublicSendInput,
    status: 201,
    response: MessageView,
    idempotent: true,
  },
  {
    method: 'post',
    path: '/api/v1/conversations',
    tag: 'Conversations',
    summary: 'Open (or find) the conversation between one of your numbers and a phone',
    body: OpenConversationInput,
    status: 201,
    response: ConversationView,
  },
  {
    method: 'get',
    path: '/api/v1/conversations',
    tag: 'Conversations',
    summary: 'List conversations, newest first (optionally for one phone)',
    query: ConversationsQuery,
    status: 200,
    response: ConversationList,
  },
  {
    method: 'get',
    path: '/api/v1/conversations/:conversationId',
    tag: 'Conversations',
    summary: 'One conversation, with its 24-hour window and opt-out state',
    params: ConversationIdParams,
    status: 200,
    response: ConversationView,
  },
  {
    method: 'get',
    path: '/api/v1/conversations/:conversationId/messages',
    tag: 'Conversations',
    summary: 'Messages with their statuses, newest first; page with `before`',
    params: ConversationIdParams,
    query: MessagesQuery,
    status: 200,
    response: MessagePage,
  },
  {
    method: 'post',
    path: '/api/v1/conversations/:conversationId/media',
    tag: 'Messages',
    summary: 'Upload a file (raw body with its Content-Type) and send it',
    params: ConversationIdParams,
    query: MediaQuery,
    rawBody: true,
    status: 201,
    response: MessageView,
  },
  { method: 'get', path: '/api/v1/numbers', tag: 'Numbers', summary: 'The WhatsApp numbers connected to the account', status: 200, response: NumberList },
  {
    method: 'get',
    path: '/api/v1/numbers/:numberId/templates',
    tag: 'Numbers',
    summary: 'Approved templates of a number',
    params: NumberIdParams,
    status: 200,
    response: TemplateList,
  },
  {
    method: 'get',
    path: '/api/v1/licence',
    tag: 'Licence',
    summary: 'Licence state, period, allowance used and left, capabilities',
    status: 200,
    response: LicenceStatus,
  },
  {
    method: 'get',
    path: '/api/v1/numbers/:numberId/broadcast-templates',
    tag: 'Broadcasts',
    summary: 'Every template of the number’s WABA: whether it can carry a broadcast, and if not why',
    params: NumberIdParams,
    status: 200,
    response: BroadcastTemplateList,
  },
  {
    method: 'get',
    path: '/api/v1/broadcasts',
    tag: 'Broadcasts',
    summary: 'Broadcasts, newest first, with counts and progress',
    status: 200,
    response: BroadcastList,
  },
  {
    method: 'post',
    path: '/api/v1/broadcasts',
    tag: 'Broadcasts',
    summary: 'Create a draft from CRM ids, a saved audience or a list of phones; answers with its dry run',
    body: CreateBroadcastInput,
    status: 201,
    response: BroadcastView,
    idempotent: true,
  },
  {
    method: 'get',
    path: '/api/v1/broadcasts/:broadcastId',
    tag: 'Broadcasts',
    summary: 'A broadcast: dry run (drafts), counts, progress, failures by reason',
    params: BroadcastIdParams,
    status: 200,
    response: BroadcastView,
  },
  {
    method: 'post',
    path: '/api/v1/broadcasts/:broadcastId/launch',
    tag: 'Broadcasts',
    summary: 'Launch (reserves the allowance); `expectedRecipients` guards against a changed dry run',
    params: BroadcastIdParams,
    body: LaunchInput,
    status: 200,
    response: BroadcastView,
  },
  {
    method: 'post',
    path: '/api/v1/broadcasts/:broadcastId/pause',
    tag: 'Broadcasts',
    summary: 'Pause a running or scheduled broadcast',
    params: BroadcastIdParams,
    status: 200,
    response: BroadcastView,
  },
  {
    method: 'post',
    path: '/api/v1/broadcasts/:broadcastId/resume',
    tag: 'Broadcasts',
    summary: 'Resume a paused broadcast',
    params: BroadcastIdParams,
    status: 200,
    response: BroadcastView,
  },
  {
    method: 'post',
    path: '/api/v1/broadcasts/:broadcastId/cancel',
    tag: 'Broadcasts',
    summary: 'Cancel; unsent recipients go back to the allowance',
    params: BroadcastIdParams,
    status: 200,
    response: BroadcastView,
  },
  {
    method: 'post',
    path: '/api/v1/broadcasts/:broadcastId/retry-failed',
    tag: 'Broadcasts',
    summary: 'Send again to recipients whose failures may pass',
    params: BroadcastIdParams,
    status: 200,
    response: BroadcastView,
  },
];

const matchers = PUBLIC_ROUTES.map((r) => ({ method: r.method.toUpperCase(), pattern: new RegExp(`^${r.path.replace(/:[A-Za-z]+/g, '[^/]+')}/?$`) }));

/** Whether an API key may call this method and path. */
export function isPublicRoute(method: string, path: string): boolean {
  return matchers.some((m) => m.method === method.toUpperCase() && m.pattern.test(path));
}

function schema(s: z.core.$ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

function parameters(object: z.core.$ZodObject | undefined, where: 'path' | 'query') {
  if (!object) return [];
  const shape = schema(object, 'output') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(shape.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (shape.required ?? []).includes(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

const errors = {
  '400': 'The request is not valid (each field at fault is named in `issues`)',
  '401': 'No valid API key or session',
  '403': 'Not allowed for this account, user or Kommo plan',
  '404': 'Not found in this account',
  '409': 'Conflicts with the current state (or a request with the same `Idempotency-Key` is still running)',
  '429': 'Too many requests for this key (see `Retry-After`)',
};

/** The OpenAPI 3.1 document of the public API, generated from the route table. */
export function openApiDocument(publicUrl: string) {
  const errorSchema = schema(ErrorBody, 'output');
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of PUBLIC_ROUTES) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][r.method] = {
      operationId: `${r.method}${r.path.replace(/^\/api\/v1/, '').replace(/\/:?([A-Za-z-]+)/g, (_, p: string) => p.charAt(0).toUpperCase() + p.slice(1).replace(/-(\w)/g, (__, c: string) => c.toUpperCase()))}`,
      summary: r.summary,
      tags: [r.tag],
      parameters: [
        ...parameters(r.params, 'path'),
        ...parameters(r.query, 'query'),
        ...(r.idempotent
          ? [
              {
                name: 'Idempotency-Key',
                in: 'header',
                required: false,
                description:
                  'Repeat a request with the same key to get the first answer again (with `Idempotent-Replayed: true`); nothing is done twice. The same key with a different body is refused (422 `idempotency_key_reused`). A repeat while the first is still running waits for its answer, up to 15 s, then gets 409 `idempotency_in_progress`. A request that has not answered within 60 s (its server stopped) loses the key: the next repeat takes it over and runs. Failed requests (4xx, 5xx) are not kept, so a retry runs again. Keys are kept for 24 hours; after that the same key is a new request.',
                schema: { type: 'string', maxLength: 200 },
              },
            ]
          : []),
      ],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body, 'input') } } } } : {}),
      ...(r.rawBody
        ? {
            requestBody: {
              required: true,
              content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
            },
          }
        : {}),
      responses: {
        [String(r.status)]: { description: 'OK', content: { 'application/json': { schema: schema(r.response, 'output') } } },
        ...Object.fromEntries(
          Object.entries(errors).map(([code, description]) => [code, { description, content: { 'application/json': { schema: errorSchema } } }]),
        ),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Wabridge public API',
      version: '1.0.0',
      description:
        'WhatsApp messaging and broadcasts for a Kommo account. Authenticate with an API key created by an admin in the widget’s advanced settings: `Authorization: Bearer wbk_…`. Keys need Kommo Advanced or higher. Errors always have the shape `{ "error": { "code", "message", "issues"? } }`.',
    },
    servers: [{ url: publicUrl }],
    security: [{ apiKey: [] }],
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (`wbk_…`) or a widget session token' } } },
    paths,
  };
}
