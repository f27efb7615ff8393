/**
 * axe-core (WCAG 2.2 AA) on every view of the agent console: sign-in, the conversation views, an open
 * conversation with its visitor panel, each admin section, and the invite page.
 */
import { test } from 'vitest';
import type { InviteResult } from '../../server/contract/admin.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { expectAccessible } from './axe.ts';
import { ADMIN, api, ok, openPage, openSection, signIn, socketVisitor, useConsoleEnv } from './console-support.ts';

const { env } = useConsoleEnv();

test('the sign-in form and the invite page', async () => {
  const signInPage = await openPage(env(), '/console/');
  await signInPage.getByLabel('Password').waitFor();
  await expectAccessible(signInPage, 'sign-in');

  const { inviteUrl } = await api<InviteResult>(env().server.url, env().adminToken, 'POST', '/agents', {
    email: 'nia@example.com',
    name: 'Nia',
    role: 'agent',
    capacity: 2,
    siteIds: [env().site.id],
  });
  const invite = await openPage(env(), '/healthz');
  await invite.goto(inviteUrl!);
  await invite.getByLabel('Repeat password').waitFor();
  await expectAccessible(invite, 'invite');
});

test('the conversation views, an open conversation with the visitor panel, and the admin sections', async () => {
  const visitor = await socketVisitor(env());
  await ok(visitor.socket, 'visitor:update', { name: 'Mia Chen', email: 'mia@example.com' });
  await ok<SendResult>(visitor.socket, 'message:send', { clientId: crypto.randomUUID(), body: 'Where is **my** order?' });
  const page = await signIn(env(), ADMIN);
  const conversations = page.getByRole('navigation', { name: 'Conversations' });
  const waiting = conversations.getByRole('button', { name: /^Mia Chen/ });
  await waiting.waitFor();
  await expectAccessible(page, 'inbox (queue and mine)');

  await waiting.click();
  await page.getByRole('log').getByText('order').waitFor();
  await expectAccessible(page, 'an open conversation with the visitor panel');

  // A reply the server has not confirmed yet is shown as sending, and must stay as readable.
  const claim = page.getByRole('button', { name: 'Claim', exact: true });
  if (await claim.isVisible()) await claim.click();
  await page.context().setOffline(true);
  await page.getByLabel('Reply', { exact: true }).fill('Let me check.');
  await page.getByLabel('Reply', { exact: true }).press('Enter');
  await page.getByRole('log').locator('.message.sending').waitFor();
  await expectAccessible(page, 'a reply sending');
  await page.context().setOffline(false);
  await page.getByRole('log').locator('.message.sending').waitFor({ state: 'detached' });

  await page.getByRole('tab', { name: /^All/ }).click();
  await expectAccessible(page, 'all conversations');
  await page.getByRole('tab', { name: /^Resolved/ }).click();
  await expectAccessible(page, 'resolved conversations');

  // Each admin section, once a field of its own is there.
  for (const [name, field] of [
    ['Sites', 'Allowed origins'],
    ['Agents', 'Capacity'],
    ['Canned responses', 'Shortcut'],
    ['Knowledge base', 'Text (Markdown)'],
    ['Reports', 'Group by'],
  ] as const) {
    await openSection(page, name);
    await page.getByLabel(field).first().waitFor();
    await expectAccessible(page, `admin: ${name}`);
  }
  visitor.socket.disconnect();
});
