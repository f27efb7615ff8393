import { describe, expect, it } from 'vitest';
import type { ArticleDTO, EvalReportDTO } from '../../server/contract/knowledge-base.ts';
import { importArticles } from '../../server/app/knowledge-base/import.ts';
import { ADMIN, backends, createAgent, login, startServer, useNewSite, useSharedServer, visitorSession, type TestServer } from '../support/parley.ts';
import { CORPUS, DRAFT, HOSTILE_QUERIES, OTHER_SITE } from '../support/kb-corpus.ts';

describe.each(backends)('knowledge base on %s', (backend) => {
  let server: TestServer;
  useSharedServer((started) => (server = started), backend);

  const admin = async (method: string, path: string, body?: unknown, siteId = server.site.id) => {
    const { accessToken } = await login(server, ADMIN.email, ADMIN.password);
    return fetch(`${server.url}/api/admin/sites/${siteId}/kb${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  };
  const create = async (article: unknown, siteId?: string) => {
    const res = await admin('POST', '/articles', article, siteId);
    expect(res.status).toBe(201);
    return (await res.json()) as ArticleDTO;
  };
  const slugsFor = async (query: string, limit = 5) => {
    const bySlug = new Map((await server.parley.knowledgeBase.list(server.site.id)).map((a) => [a.id, a.slug]));
    return (await server.parley.knowledgeBase.search(server.site.id, query, limit)).map((hit) => bySlug.get(hit.id));
  };
  const seed = async () => {
    const home = server.site;
    const other = await useNewSite(server, 'Other shop');
    await create(OTHER_SITE, other.id);
    server.site = home;
    for (const article of [...CORPUS, DRAFT]) await create(article);
  };

  it('ranks the answering article first, stems words, and returns only published articles of the one site', async () => {
    await seed();
    expect((await slugsFor('How do I reset my password?'))[0]).toBe('reset-password');
    expect(await slugsFor('refunds')).toEqual(['refund-policy']);
    expect((await slugsFor('international shipping'))[0]).toBe('shipping-times');
    expect((await slugsFor('cancel my plan'))[0]).toBe('cancel-subscription');
    expect(await slugsFor('billing', 5)).toEqual(expect.arrayContaining(['refund-policy', 'cancel-subscription']));
    expect(await slugsFor('upcoming changes')).toEqual([]);
    expect(await slugsFor('how do I')).toEqual([]);

    const [hit] = await server.parley.knowledgeBase.search(server.site.id, 'refund', 1);
    expect(hit).toMatchObject({ title: 'Refund policy', tags: ['billing'], url: `${server.url}/kb/${server.site.publicKey}/refund-policy` });
    expect(hit!.score).toBeGreaterThan(0);
  });

  // The same table runs on both databases: both must give exactly these hits (order inside a set may differ).
  it.each([
    ['password', ['reset-password']],
    ['Passwords', ['reset-password']],
    ['login problems', ['reset-password']],
    ['refund card', ['refund-policy']],
    ['billing', ['cancel-subscription', 'refund-policy']],
    ['account', ['cancel-subscription', 'reset-password']],
    ['days', ['refund-policy', 'shipping-times']],
    ['cancelled subscriptions', ['cancel-subscription']],
    ['rückerstattung', []],
    ['the and of', []],
  ])('gives the same hits on every database for %j', async (query, expected) => {
    await seed();
    expect((await slugsFor(query, 10)).sort()).toEqual([...expected].sort());
  });

  it('never errors on hostile query text, and reads the words inside it', async () => {
    await seed();
    for (const query of HOSTILE_QUERIES) {
      const hits = await server.parley.knowledgeBase.search(server.site.id, query, 5);
      expect(hits.every((h) => h.url.includes(server.site.publicKey)), query).toBe(true);
    }
    expect(await slugsFor('NEAR(refund policy)')).toEqual(['refund-policy']);
    expect(await slugsFor('title:refund')).toEqual(['refund-policy']);
    expect(await slugsFor('"refund')).toEqual(['refund-policy']);
  });

  it('keeps the index in step with edits, unpublishing and deletes', async () => {
    const article = await create(CORPUS[1]);
    expect(await slugsFor('refund')).toEqual(['refund-policy']);
    const edited = { ...CORPUS[1]!, title: 'Money back guarantee', body: 'Ask within 30 days to get your money back.' };
    expect((await admin('PATCH', `/articles/${article.id}`, edited)).status).toBe(200);
    expect(await slugsFor('refund')).toEqual([]);
    expect(await slugsFor('money back')).toEqual(['refund-policy']);
    expect((await admin('PATCH', `/articles/${article.id}`, { ...edited, published: false })).status).toBe(200);
    expect(await slugsFor('money back')).toEqual([]);
    expect((await admin('DELETE', `/articles/${article.id}`)).status).toBe(204);
    expect(await server.parley.knowledgeBase.list(server.site.id)).toEqual([]);
  });

  it('answers bad admin input with typed 4xx errors', async () => {
    await create(CORPUS[0]);
    expect(await (await admin('POST', '/articles', CORPUS[0])).json()).toMatchObject({ error: { code: 'CONFLICT' } });
    const bad = await admin('POST', '/articles', { ...CORPUS[0], slug: '../etc' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('slug') } });
    expect((await admin('GET', '/articles/nope')).status).toBe(404);
    expect(await (await admin('GET', '/search?q=password')).json()).toMatchObject([{ title: 'How to reset your password', score: expect.any(Number) }]);
    expect((await admin('GET', '/search?q=x&limit=50')).status).toBe(400);
    expect((await admin('GET', '/articles', undefined, 'no-such-site')).status).toBe(404);
  });

  it('serves a published article as a page under a strict CSP, and no page for a draft', async () => {
    await create({ ...CORPUS[0]!, body: 'Click **Reset**.\n\n<script>alert(1)</script>\n\n- [help](javascript:alert(1))\n- [docs](https://docs.example.com)' });
    const draft = await create(DRAFT);
    const res = await fetch(`${server.url}/kb/${server.site.publicKey}/reset-password`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; style-src 'nonce-[^']+'; base-uri 'none'/);
    const html = await res.text();
    expect(html).toContain('<h1>How to reset your password</h1>');
    expect(html).toContain('<strong>Reset</strong>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('<a href="https://docs.example.com/" target="_blank" rel="noopener noreferrer nofollow ugc" dir="auto">docs</a>');
    expect((await fetch(`${server.url}/kb/${server.site.publicKey}/${draft.slug}`)).status).toBe(404);
    expect((await fetch(`${server.url}/kb/${server.site.publicKey}/..%2Fx`)).status).toBe(404);
  });

  it('suggests articles to a visitor with a session, and to no one without one', async () => {
    await seed();
    const { token } = await visitorSession(server);
    const ask = (q: string, auth = `Bearer ${token}`) => fetch(`${server.url}/api/widget/articles?q=${encodeURIComponent(q)}`, { headers: { authorization: auth } });
    const res = await ask('reset password');
    expect(res.status).toBe(200);
    const [first] = (await res.json()) as { title: string; url: string }[];
    expect(first).toMatchObject({ title: 'How to reset your password', url: expect.stringMatching(/\/kb\/.+\/reset-password$/) });
    expect((await ask('x'.repeat(501))).status).toBe(400);
    expect((await ask('refund', 'Bearer forged')).status).toBe(401);
  });

  it('suggests articles to agents of the site for /kb, and to no agent of another site', async () => {
    await seed();
    const suggest = async (credentials: { email: string; password: string }, q: string) => {
      const { accessToken } = await login(server, credentials.email, credentials.password);
      return fetch(`${server.url}/api/kb/suggest?siteId=${server.site.id}&q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${accessToken}` } });
    };
    const agent = await createAgent(server, `kb-${backend}-${Date.now()}`);
    const res = await suggest(agent, 'refund');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ id: expect.any(String), title: 'Refund policy', url: `${server.url}/kb/${server.site.publicKey}/refund-policy` }]);
    const home = server.site;
    const elsewhere = await useNewSite(server, 'Elsewhere');
    const outsider = await server.parley.admin.createAgent({ email: `out-${backend}-${Date.now()}@example.com`, password: 'outsider-password', role: 'agent', siteIds: [elsewhere.id] });
    server.site = home;
    const refused = await suggest({ email: outsider.email, password: 'outsider-password' }, 'refund');
    expect(refused.status).toBe(404);
  });

  it('imports Markdown files by file name: created, updated, unchanged, and refused ones reported', async () => {
    const kb = server.parley.knowledgeBase;
    const store = server.parley.store.knowledgeBase;
    const files = [
      { name: 'reset-password.md', text: '---\ntitle: Reset your password\ntags: [account, login]\n---\nUse Settings.' },
      { name: 'refunds.md', text: '---\ntitle: "Refunds"\npublished: false\n---\nWithin 30 days.' },
      { name: 'Bad Name.md', text: '---\ntitle: x\n---\n' },
      { name: 'broken.md', text: '---\ntitle: x\ncolour: red\n---\n' },
    ];
    expect(await importArticles(kb, store, server.site.id, files)).toMatchObject({ created: 2, updated: 0, unchanged: 0, failed: [{ file: 'Bad Name.md' }, { file: 'broken.md' }] });
    files[0]!.text = files[0]!.text.replace('Use Settings.', 'Use Settings, then Security.');
    expect(await importArticles(kb, store, server.site.id, files.slice(0, 2))).toEqual({ created: 0, updated: 1, unchanged: 1, failed: [] });
    const articles = await kb.list(server.site.id);
    expect(articles.map((a) => [a.slug, a.published, a.tags])).toEqual([
      ['refunds', false, []],
      ['reset-password', true, ['account', 'login']],
    ]);
    expect(articles[1]!.body).toBe('Use Settings, then Security.');
  });

  it('evaluates retrieval: the expected article among the top 3, per question and overall', async () => {
    await seed();
    for (const [question, articleSlug] of [
      ['How can I reset my password?', 'reset-password'],
      ['Can I get my money refunded?', 'refund-policy'],
      ['How long does international shipping take?', 'shipping-times'],
      ['Where do I change my email address?', 'cancel-subscription'],
    ]) expect((await admin('POST', '/eval', { question, articleSlug })).status).toBe(201);
    expect((await admin('POST', '/eval', { question: 'x', articleSlug: 'no-such-article' })).status).toBe(400);
    const report = (await (await admin('POST', '/eval/run')).json()) as EvalReportDTO;
    expect(report.topK).toBe(3);
    expect(report.rows.map((r) => [r.expectedSlug, r.hit, r.rank])).toEqual([
      ['reset-password', true, 1],
      ['refund-policy', true, 1],
      ['shipping-times', true, 1],
      ['cancel-subscription', false, null],
    ]);
    expect(report.hitRate).toBe(0.75);
  });
});

describe('knowledge-base suggestions for visitors', () => {
  it('are rate limited per visitor: a burst of 30, then RATE_LIMITED with when to retry', async () => {
    const server = await startServer({ RATE_LIMIT_SCALE: '1' });
    try {
      const { token } = await visitorSession(server);
      const ask = () => fetch(`${server.url}/api/widget/articles?q=refund`, { headers: { authorization: `Bearer ${token}` } });
      for (let i = 0; i < 30; i++) expect((await ask()).status).toBe(200);
      const refused = await ask();
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) } });
    } finally {
      await server.close();
    }
  });
});
