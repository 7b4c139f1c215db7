import { Router } from 'express';
import { ApiKeyIdParams, CreateApiKeyInput, CreateWebhookInput, PublicSendInput, WebhookIdParams } from '../../../contract/public-api';
import { requireAdmin, sessionOf } from '../auth/require-session';
import { parse } from '../http/parse';
import type { LicenceService } from '../licensing/licence-service';
import type { ChatService } from '../whatsapp/chat-service';
import type { ApiKeys } from './api-keys';
import type { Idempotency } from './idempotency';
import { openApiDocument } from './openapi';
import type { OutgoingWebhooks } from './outgoing-webhooks';
import { escapeHtml } from '../http/html';

/** `/openapi.json` and the readable reference at `/docs` (no authentication: the API is described, not opened). */
export function apiDocsRoutes(deps: { publicUrl: string }): Router {
  const router = Router();
  const document = openApiDocument(deps.publicUrl);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(referencePage(document));
  });
  return router;
}

/** The public send route and the admin's API keys (session only: a key cannot mint keys). */
export function publicApiRoutes(deps: {
  chat: ChatService;
  apiKeys: ApiKeys;
  licences: LicenceService;
  webhooks: OutgoingWebhooks;
  idempotency: Idempotency;
}): Router {
  const router = Router();

  router.post('/messages', deps.idempotency.middleware(), async (req, res) => {
    const session = sessionOf(res);
    const input = parse(PublicSendInput, req.body, 'body');
    // The conversation with the customer is opened by the send itself when it is new.
    const to = { numberId: input.numberId, phone: input.to };
    const sent =
      input.type === 'text'
        ? await deps.chat.send(session.accountId, session.userId, to, { type: 'text', text: input.text })
        : input.type === 'template'
          ? await deps.chat.send(
              session.accountId,
              session.userId,
              to,
              { type: 'template', name: input.name, language: input.language, bodyParameters: input.bodyParameters },
              { refuseOptedOut: true },
            )
          : await deps.chat.send(session.accountId, session.userId, to, {
              type: input.type,
              link: input.link,
              caption: input.caption,
              filename: input.filename,
            });
    res.status(201).json(sent);
  });

  router.get('/api-keys', async (_req, res) => {
    const session = requireAdmin(res);
    res.json({ keys: await deps.apiKeys.list(session.accountId) });
  });
  router.post('/api-keys', async (req, res) => {
    const session = requireAdmin(res);
    await deps.licences.require(session.accountId, 'api_keys');
    const { name } = parse(CreateApiKeyInput, req.body, 'body');
    res.status(201).json(await deps.apiKeys.create(session.accountId, session.userId, name));
  });
  router.delete('/api-keys/:keyId', async (req, res) => {
    const session = requireAdmin(res);
    const { keyId } = parse(ApiKeyIdParams, req.params, 'params');
    res.json(await deps.apiKeys.revoke(session.accountId, session.userId, keyId));
  });

  // Outgoing webhooks: the admin's receivers, each secret shown once, and the delivery log.
  router.get('/webhooks', async (_req, res) => {
    const session = requireAdmin(res);
    res.json({ endpoints: await deps.webhooks.list(session.accountId) });
  });
  router.post('/webhooks', async (req, res) => {
    const session = requireAdmin(res);
    await deps.licences.require(session.accountId, 'automation');
    const { url } = parse(CreateWebhookInput, req.body, 'body');
    res.status(201).json(await deps.webhooks.create(session.accountId, session.userId, url));
  });
  router.delete('/webhooks/:endpointId', async (req, res) => {
    const session = requireAdmin(res);
    const { endpointId } = parse(WebhookIdParams, req.params, 'params');
    await deps.webhooks.remove(session.accountId, endpointId);
    res.status(204).end();
  });
  router.get('/webhooks/:endpointId/deliveries', async (req, res) => {
    const session = requireAdmin(res);
    const { endpointId } = parse(WebhookIdParams, req.params, 'params');
    res.json({ deliveries: await deps.webhooks.deliveries(session.accountId, endpointId) });
  });
  return router;
}

/** A plain, self-contained reference page: every operation with its parameters and schemas. */
function referencePage(doc: ReturnType<typeof openApiDocument>): string {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const o = op as {
        summary: string;
        tags: string[];
        parameters: { name: string; in: string; required: boolean; description?: string }[];
        requestBody?: { content: Record<string, { schema: unknown }> };
        responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
      };
      const ok = Object.entries(o.responses).find(([code]) => code.startsWith('2'))!;
      const params = o.parameters.length
        ? `<table><tr><th>Name</th><th>In</th><th>Required</th><th>About</th></tr>${o.parameters.map((p) => `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td>${escapeHtml(p.description ?? '')}</td></tr>`).join('')}</table>`
        : '';
      const body = o.requestBody
        ? `<details><summary>Request body (${Object.keys(o.requestBody.content).join(', ')})</summary><pre>${escapeHtml(JSON.stringify(Object.values(o.requestBody.content)[0]!.schema, null, 2))}</pre></details>`
        : '';
      const answer = `<details><summary>Answer ${ok[0]}</summary><pre>${escapeHtml(JSON.stringify(ok[1].content?.['application/json']?.schema ?? {}, null, 2))}</pre></details>`;
      return `<section id="${method}-${escapeHtml(path)}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3><p>${escapeHtml(o.summary)}</p>${params}${body}${answer}</section>`;
    }),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)}</title><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color-scheme:light dark}code,pre{font:13px ui-monospace,monospace}pre{background:rgba(127,127,127,.12);padding:.8em;overflow:auto}
section{border-top:1px solid rgba(127,127,127,.3);padding:.4em 0}.m{display:inline-block;min-width:4em;text-align:center;border-radius:3px;color:#fff;padding:0 .4em}.get{background:#2b7de9}.post{background:#1fa855}table{border-collapse:collapse}td,th{border:1px solid rgba(127,127,127,.3);padding:2px 8px;text-align:left}</style></head>
<body><h1>${escapeHtml(doc.info.title)}</h1><p>${escapeHtml(doc.info.description)}</p><p>Server: <code>${escapeHtml(doc.servers[0]!.url)}</code> · machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${doc.openapi})</p>
<pre>curl -X POST ${escapeHtml(doc.servers[0]!.url)}/api/v1/messages \\
  -H "Authorization: Bearer wbk_…" -H "Content-Type: application/json" -H "Idempotency-Key: order-1001-shipped" \\
  -d '{"type":"text","numberId":"…","to":"+5511912345678","text":"Your order has shipped"}'</pre>
${operations.join('\n')}</body></html>`;
}
