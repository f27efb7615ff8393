/**
 * The knowledge base in the console: an admin writes an article with a live preview, publishes and unpublishes it,
 * runs the evaluation; an agent links an article into a reply with `/kb words`. Needs `npm run build`.
 */
import { expect, test } from 'vitest';
import { expectAccessible } from './axe.ts';
import { ADMIN, createAgent, openSection, openWidget, setStatus, signIn, useConsoleEnv } from './console-support.ts';
import { send as widgetSend } from './widget-harness.ts';

const { env } = useConsoleEnv();

test('an admin writes an article with a preview, publishes, unpublishes and evaluates; an agent inserts it with /kb', async () => {
  const admin = await signIn(env(), ADMIN);
  await openSection(admin, 'Knowledge base');
  const form = admin.getByRole('form', { name: 'New article' });
  await form.getByLabel('Title').fill('How to reset your password');
  expect(await form.getByLabel('Address (slug)').inputValue()).toBe('how-to-reset-your-password');
  await form.getByLabel('Tags').fill('account, login');
  await form.getByLabel('Text (Markdown)').fill('## Steps\n\nOpen **Settings**.\n\n<img src=x onerror=alert(1)>');
  const preview = form.getByRole('region', { name: 'Preview' });
  await preview.getByRole('heading', { level: 3, name: 'Steps' }).waitFor();
  expect(await preview.locator('strong').innerText()).toBe('Settings');
  expect(await preview.locator('img').count()).toBe(0);
  await form.getByRole('button', { name: 'Add article' }).click();

  const row = admin.getByRole('row', { name: /How to reset your password/ });
  await row.getByRole('cell', { name: 'Draft' }).waitFor();
  await row.getByRole('button', { name: 'Publish How to reset your password' }).click();
  await row.getByRole('cell', { name: 'Published', exact: true }).waitFor();
  expect(await row.getByRole('link', { name: /Open page/ }).getAttribute('href')).toBe(`${env().server.url}/kb/${env().site.publicKey}/how-to-reset-your-password`);

  const evaluation = admin.getByRole('form', { name: 'Add question' });
  await evaluation.getByLabel('Question').fill('I forgot my password');
  await evaluation.getByLabel('Expected article').selectOption({ label: 'How to reset your password' });
  await evaluation.getByRole('button', { name: 'Add question' }).click();
  await admin.getByRole('row', { name: /I forgot my password/ }).waitFor();
  await evaluation.getByRole('button', { name: 'Run evaluation' }).click();
  await admin.getByText('Hit rate (top 3): 100.0% of 1 questions').waitFor();
  await expectAccessible(admin, 'knowledge base with an article and an evaluation run');

  // An agent answers a visitor and links the article (the admin steps away, so the conversation goes to her).
  await setStatus(admin, 'Away');
  const alice = await createAgent(env(), 'Alice');
  const agent = await signIn(env(), alice);
  const { chat } = await openWidget(env());
  await widgetSend(chat, 'Cannot log in');
  await agent.getByRole('navigation', { name: 'Conversations' }).getByRole('region', { name: /Mine/ }).getByRole('button', { name: /Cannot log in/ }).click();
  const composer = agent.getByLabel('Reply', { exact: true });
  await composer.click();
  await composer.pressSequentially('See /kb reset passw');
  await agent.getByRole('listbox', { name: 'Knowledge-base articles' }).getByRole('option', { name: /How to reset your password/ }).waitFor();
  await composer.press('Enter');
  const link = `${env().server.url}/kb/${env().site.publicKey}/how-to-reset-your-password`;
  await expect.poll(() => composer.inputValue(), { timeout: 10_000 }).toBe(`See How to reset your password: ${link}`);
  await composer.press('Enter');
  await chat.getByRole('log').getByRole('link', { name: link }).waitFor();

  // Unpublished: gone from the page and from /kb.
  await row.getByRole('button', { name: 'Unpublish How to reset your password' }).click();
  await row.getByRole('cell', { name: 'Draft' }).waitFor();
  expect((await fetch(link)).status).toBe(404);
  expect(env().pageErrors).toEqual([]);
});
