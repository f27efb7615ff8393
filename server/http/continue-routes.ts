/**
 * "Continue anywhere": GET /c/<token> serves the chat frame full-window (same page, same CSP as the frame, but
 * never framed), and the frame exchanges the token at POST /api/continue for the visitor's session. A forged or
 * expired link gets a short page saying so, in the visitor's language.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import express, { type Request, Router } from 'express';
import { z } from 'zod';
import type { ContinueSessionService } from '../app/continue-sessions.ts';
import { AppError } from '../app/errors.ts';
import type { Limits } from '../app/limits.ts';
import { addressKey } from '../domain/address-key.ts';
import { clientIp } from './auth-routes.ts';
import { route } from './errors.ts';
import { APP_CSP, DIST } from './static.ts';

const continueBody = z.strictObject({ token: z.string().max(200) });

const EXPIRED_PAGE = {
  en: { lang: 'en', dir: 'ltr', title: 'Link expired', text: 'This link has expired or is not valid. Reply to the email you received to keep talking with us.' },
  'zh-CN': { lang: 'zh-CN', dir: 'ltr', title: '链接已失效', text: '此链接已过期或无效。请直接回复您收到的邮件，继续与我们交流。' },
  ar: { lang: 'ar', dir: 'rtl', title: 'انتهت صلاحية الرابط', text: 'انتهت صلاحية هذا الرابط أو أنه غير صالح. ردّ على الرسالة التي وصلتك لمتابعة المحادثة معنا.' },
} as const;

export function continueRoutes(service: ContinueSessionService, deps: { limits: Limits }): Router {
  const router = Router();
  router.use('/c', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', `${APP_CSP}; frame-ancestors 'none'`);
    res.setHeader('X-Frame-Options', 'DENY');
    // The token is in the path: it must not leave in a Referer, nor stay in a cache.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.get('/c/:token', route(async (req, res) => {
    await deps.limits.take('sessionPerIp', addressKey(clientIp(req)));
    if (!(await service.conversationOf(req.params.token as string))) {
      const page = EXPIRED_PAGE[pageLocale(req)];
      res.status(404).type('html').send(expiredPage(page));
      return;
    }
    const html = await readFile(join(DIST, 'frame', 'index.html'), 'utf8').catch(() => {
      throw new AppError('UNAVAILABLE', 'The widget is not built; run `npm run build`');
    });
    res.type('html').send(html);
  }));
  router.post('/api/continue', express.json({ limit: '1kb' }), route(async (req, res) => {
    const parsed = continueBody.safeParse(req.body);
    if (!parsed.success) throw new AppError('BAD_REQUEST', 'token is required');
    await deps.limits.take('sessionPerIp', addressKey(clientIp(req)));
    res.setHeader('Cache-Control', 'no-store');
    res.json(await service.exchange(parsed.data.token));
  }));
  return router;
}

function pageLocale(req: Request): keyof typeof EXPIRED_PAGE {
  const chosen = req.acceptsLanguages('en', 'zh-CN', 'zh', 'ar');
  if (chosen === 'zh' || chosen === 'zh-CN') return 'zh-CN';
  return chosen === 'ar' ? 'ar' : 'en';
}

function expiredPage(page: (typeof EXPIRED_PAGE)[keyof typeof EXPIRED_PAGE]): string {
  return `<!doctype html>
<html lang="${page.lang}" dir="${page.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title}</title>
<link rel="icon" href="data:,">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1d2330}</style>
</head>
<body>
<main>
<h1>${page.title}</h1>
<p>${page.text}</p>
</main>
</body>
</html>`;
}
