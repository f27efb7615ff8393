/** The built widget loader, chat frame and console (from `npm run build`), and the demo page. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Request, Router } from 'express';
import { snippet } from '../app/admin.ts';
import { usableOrigins } from '../auth/origins.ts';
import type { SiteStore } from '../app/ports.ts';
import { AppError } from '../app/errors.ts';
import { route } from './errors.ts';
import { precompressedStatic } from './precompressed.ts';

export const DIST = resolve(import.meta.dirname, '../../dist');

/**
 * Our own pages (console, chat frame) run only our scripts: no inline script, no eval. Inline styles stay
 * allowed for the UI's dynamic colours; they cannot run code.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

// Hashed asset names never change content, so they may be cached for good; entry points must revalidate.
const assetCaching = (path: string) =>
  /[.-][A-Za-z0-9_-]{8,}\.(js|css)$/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache';

export function staticRoutes(deps: { sites: SiteStore; publicUrl: (req: Request) => string; demo: boolean }): Router {
  const router = Router();
  router.use((req, _res, next) => {
    const needsBuild = req.path === '/widget.js' || req.path.startsWith('/frame') || req.path.startsWith('/console');
    if (needsBuild && !existsSync(join(DIST, 'widget', 'widget.js'))) {
      next(new AppError('UNAVAILABLE', 'The widget and console are not built; run `npm run build`'));
    } else next();
  });
  router.get('/widget.js', precompressedStatic(join(DIST, 'widget'), () => 'public, max-age=300'));
  // Only the site's own pages may embed its chat frame (clickjacking), and the frame runs no foreign script.
  router.use('/frame', route(async (req, res, next) => {
    const key = typeof req.query.site === 'string' ? req.query.site : '';
    const site = key ? await deps.sites.findByKey(key) : null;
    const ancestors = ["'self'", ...usableOrigins(site?.allowedOrigins ?? [])].join(' ');
    res.setHeader('Content-Security-Policy', `${APP_CSP}; frame-ancestors ${ancestors}`);
    next();
  }));
  router.use('/frame', precompressedStatic(join(DIST, 'frame'), assetCaching));
  router.use('/console', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', `${APP_CSP}; frame-ancestors 'none'`);
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });
  const consoleAssets = precompressedStatic(join(DIST, 'console'), assetCaching);
  router.use('/console', consoleAssets);
  // The console is a single-page app: unknown paths under /console get its page.
  router.get(/^\/console(\/.*)?$/, (req, res, next) => {
    req.url = '/index.html';
    consoleAssets(req, res, next);
  });
  // DEMO=false: no demo page; `/` is then a plain 404.
  if (deps.demo) router.get('/', route(async (req, res) => {
    const [site] = await deps.sites.list();
    if (!site) throw new AppError('NOT_FOUND', 'No site exists yet; create one with `npm run cli -- site create`');
    res.type('html').send(demoPage(snippet(deps.publicUrl(req), site.publicKey)));
  }));
  return router;
}

function demoPage(embed: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley demo</title>
<link rel="icon" href="data:,">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d2330}code{background:#f1f3f7;padding:.1rem .3rem;border-radius:4px}</style>
</head>
<body>
<h1>Parley demo page</h1>
<p>This page embeds the chat widget exactly as a customer's site would. Open the bubble in the corner and say hello;
answer from the <a href="/console/">agent console</a>.</p>
<p>The snippet on this page:</p>
<pre><code>${escapeHtml(embed)}</code></pre>
${embed}
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
