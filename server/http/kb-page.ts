/** GET /kb/:siteKey/:slug: a published article as a page of its own, rendered on the server, under a strict CSP. */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { articleNodes } from '../../client/article-markdown.tsx';
import type { KnowledgeBase } from '../app/knowledge-base/articles.ts';
import { id } from '../validation/primitives.ts';
import { slug } from '../validation/knowledge-base.ts';
import { route } from './errors.ts';
import { escapeHtml, toHtml } from './vnode-html.ts';

const STYLE = `body{font:16px/1.6 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.8rem;line-height:1.25}a{color:#0b57d0}pre{background:#f3f4f6;padding:.75rem;overflow:auto}
code{font-family:ui-monospace,monospace}.site{color:#57606a;font-size:.9rem}`;

export function kbPageRoutes(kb: KnowledgeBase): Router {
  const router = Router();
  router.get('/kb/:siteKey/:slug', route(async (req, res) => {
    const key = id.safeParse(req.params.siteKey);
    const name = slug.safeParse(req.params.slug);
    const found = key.success && name.success ? await kb.published(key.data, name.data) : null;
    const nonce = randomBytes(16).toString('base64');
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html');
    if (!found) {
      res.status(404).send(page(nonce, 'Not found', '<h1>Article not found</h1>', ''));
      return;
    }
    const { site, article } = found;
    const body = `<p class="site">${escapeHtml(site.name)}</p><h1>${escapeHtml(article.title)}</h1>${toHtml(articleNodes(article.body))}`;
    res.send(page(nonce, article.title, body, `<meta name="description" content="${escapeHtml(article.tags.join(', '))}">`));
  }));
  return router;
}

function page(nonce: string, title: string, body: string, head: string): string {
  return `<!doctype html><html lang="en" dir="auto"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>${head}<style nonce="${nonce}">${STYLE}</style></head><body><main>${body}</main></body></html>`;
}
