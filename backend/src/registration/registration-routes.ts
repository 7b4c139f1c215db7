import { Router } from 'express';
import { AcceptTermsInput, RegistrationInput } from '../../../contract/licence';
import { requireAdmin } from '../auth/require-session';
import { notFound } from '../http/app-error';
import { parse } from '../http/parse';
import type { RegistrationService } from './registration-service';
import { escapeHtml } from '../http/html';

export function registrationRoutes(deps: { registrations: RegistrationService }): Router {
  const router = Router();

  router.get('/account-admin', async (_req, res) => {
    res.json(await deps.registrations.view(requireAdmin(res).accountId));
  });

  router.put('/registration', async (req, res) => {
    const session = requireAdmin(res);
    const input = parse(RegistrationInput, req.body, 'body');
    await deps.registrations.register(session.accountId, session.userId, input);
    res.json(await deps.registrations.view(session.accountId));
  });

  router.post('/terms/accept', async (req, res) => {
    const session = requireAdmin(res);
    const { version } = parse(AcceptTermsInput, req.body, 'body');
    await deps.registrations.acceptTerms(session.accountId, session.userId, version);
    res.json(await deps.registrations.view(session.accountId));
  });

  return router;
}

/** The licence terms as a readable page (linked from the registration form). */
export function termsPage(deps: { registrations: RegistrationService }): Router {
  const router = Router();
  router.get('/:version', async (req, res) => {
    const terms = await deps.registrations.terms(String(req.params.version));
    if (!terms) throw notFound('No such version of the terms.');
    res.type('html').send(
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escapeHtml(terms.title)}</title>` +
        `<body style="font:15px/1.6 system-ui,sans-serif;max-width:720px;margin:2em auto;padding:0 1em">` +
        `<h1>${escapeHtml(terms.title)}</h1><p><small>Version ${escapeHtml(terms.version)}, in effect from ${new Date(terms.effective_at).toISOString().slice(0, 10)}</small></p>` +
        terms.body
          .split(/\n\s*\n/)
          .map((p) => `<p>${escapeHtml(p)}</p>`)
          .join('') +
        `</body></html>`,
    );
  });
  return router;
}
