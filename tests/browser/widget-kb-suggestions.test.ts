/** The widget suggests knowledge-base articles while the visitor writes their first message; a click opens one. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ArticleDTO } from '../../server/contract/knowledge-base.ts';
import { expectAccessible } from './axe.ts';
import { eventually, frameOf, openChat, send, WidgetHarness } from './widget-harness.ts';

let h: WidgetHarness;

beforeAll(async () => {
  h = await WidgetHarness.start();
});

afterAll(async () => {
  await h?.stop();
});

test('typing a first message lists matching articles as links; one opens the article page; none once the conversation exists', async () => {
  const site = await h.createSite();
  const article = { slug: 'reset-password', title: 'How to reset your password', body: 'Open **Settings**, then Security.', tags: ['account'], published: true };
  await h.admin<ArticleDTO>('POST', `/sites/${site.id}/kb/articles`, article);
  await h.admin<ArticleDTO>('POST', `/sites/${site.id}/kb/articles`, { ...article, slug: 'password-draft', title: 'Password rules draft', published: false });
  const agent = await h.connectAgent('Alice', site);
  const context = await h.newContext({ site });
  const page = await h.openShop(context);
  const chat = await openChat(page);

  const textbox = chat.getByRole('textbox', { name: 'Message' });
  await textbox.pressSequentially('I forgot my password', { delay: 20 });
  const suggestions = chat.getByRole('region', { name: 'These articles may answer your question' });
  const link = suggestions.getByRole('listitem').getByRole('link', { name: 'How to reset your password' });
  await link.waitFor();
  expect(await suggestions.getByRole('link').count()).toBe(1);
  await expectAccessible(await frameOf(page, h.server.url), 'chat frame with article suggestions');

  // A plain link: focusable and opened with Enter.
  await link.focus();
  const [articlePage] = await Promise.all([context.waitForEvent('page'), link.press('Enter')]);
  await articlePage.waitForLoadState();
  expect(articlePage.url()).toBe(`${h.server.url}/kb/${site.key}/reset-password`);
  await articlePage.getByRole('heading', { level: 1, name: 'How to reset your password' }).waitFor();
  expect(await articlePage.locator('strong').innerText()).toBe('Settings');
  await expectAccessible(articlePage, 'public article page');

  const arrived = agent.messageFromVisitor('I forgot my password');
  await send(chat, 'I forgot my password');
  await arrived;
  await textbox.pressSequentially('password again', { delay: 20 });
  await new Promise((resolve) => setTimeout(resolve, 800));
  await eventually(() => suggestions.isVisible()).toBe(false);
});
