/**
 * /api/email/unsubscribe/:token: the link every visitor email carries in List-Unsubscribe. A mail client's
 * one-click POST (RFC 8058, body `List-Unsubscribe=One-Click`) unsubscribes at once; a GET, which link scanners
 * also make, only shows a page whose button POSTs, so opening the link never unsubscribes by itself. Pages are
 * in the browser's language (English, Simplified Chinese or Arabic).
 */
import { Router, type Request, type Response } from 'express';
import { AppError } from '../app/errors.ts';
import type { EmailUnsubscribe } from '../app/email-unsubscribe.ts';
import { LOCALES, type Locale } from '../contract/dto.ts';
import { escapeHtml } from '../email/escape.ts';
import { emailLocale, textDirection, VISITOR_EMAIL_TEXT } from '../email/visitor-text.ts';
import { route } from './errors.ts';

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function emailRoutes(unsubscribe: EmailUnsubscribe): Router {
  const router = Router();
  router.get('/unsubscribe/:token', (req, res) => {
    const locale = localeOf(req);
    const text = VISITOR_EMAIL_TEXT[locale];
    try {
      unsubscribe.check(req.params.token);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return page(res.status(400), locale, text.invalidTitle, `<p>${escapeHtml(text.invalidText)}</p>`);
    }
    // The form posts back to this very URL, so the token never appears in the page.
    page(res, locale, text.confirmTitle, `<p>${escapeHtml(text.confirmQuestion)}</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${escapeHtml(text.confirmButton)}</button></form>`);
  });
  router.post('/unsubscribe/:token', route(async (req, res) => {
    await unsubscribe.unsubscribe(req.params.token as string);
    if (req.accepts(['html', 'json']) === 'json') return void res.json({ unsubscribed: true });
    const locale = localeOf(req);
    page(res, locale, VISITOR_EMAIL_TEXT[locale].doneTitle, `<p>${escapeHtml(VISITOR_EMAIL_TEXT[locale].doneText)}</p>`);
  }));
  return router;
}

function localeOf(req: Request): Locale {
  return emailLocale([req.acceptsLanguages(...LOCALES) || null]);
}

function page(res: Response, locale: Locale, title: string, body: string): void {
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Language', locale);
  res.type('html').send(`<!doctype html>
<html lang="${locale}" dir="${textDirection(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#111}button{font:inherit;padding:.5rem 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>`);
}
