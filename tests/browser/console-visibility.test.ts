/**
 * The console on a site where agents do not see all conversations: both agents watch the queue, one claims,
 * the other's queue lets go of it without ever showing what is said next, and a transfer hands it over whole.
 * Needs `npm run build` (npm test runs it) and Chromium at /usr/bin/chromium.
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, test } from 'vitest';
import type { SendResult } from '../../server/contract/events.ts';
import { createAgent, ok, setStatus, setWidgetSettings, signIn, socketVisitor, useConsoleEnv } from './console-support.ts';

const { env } = useConsoleEnv();

beforeAll(() => setWidgetSettings(env(), { agentsSeeAll: false }));

const region = (page: Page, name: RegExp) => page.getByRole('navigation', { name: 'Conversations' }).getByRole('region', { name });

test("agents who do not see all share the queue, not each other's conversations", async () => {
  const alicePage = await signIn(env(), await createAgent(env(), 'Alice'));
  const bobPage = await signIn(env(), await createAgent(env(), 'Bob'));
  await setStatus(alicePage, 'Away');
  await setStatus(bobPage, 'Away');
  const visitor = await socketVisitor(env());
  await ok<SendResult>(visitor.socket, 'message:send', { clientId: crypto.randomUUID(), body: 'Waiting for someone' });

  const bobsQueued = region(bobPage, /Queue/).getByRole('button', { name: /Waiting for someone/ });
  await bobsQueued.waitFor();
  await region(alicePage, /Queue/).getByRole('button', { name: /Waiting for someone/ }).click();
  await alicePage.getByRole('button', { name: 'Claim', exact: true }).click();
  await region(alicePage, /Mine/).getByRole('button', { name: /Waiting for someone/ }).waitFor();
  await expect.poll(() => bobsQueued.count(), { timeout: 10_000 }).toBe(0);
  expect(await bobPage.getByRole('tab', { name: /^All/ }).count()).toBe(0);

  await ok<SendResult>(visitor.socket, 'message:send', { clientId: crypto.randomUUID(), body: 'Only for Alice' });
  await alicePage.getByRole('log').getByText('Only for Alice').waitFor();
  expect(await bobPage.getByText('Only for Alice').count()).toBe(0);

  await setStatus(bobPage, 'Online');
  await alicePage.getByRole('button', { name: 'Transfer', exact: true }).click();
  await alicePage.getByRole('group', { name: 'Transfer to' }).getByRole('button', { name: /Bob/ }).click();
  await alicePage.getByRole('log').getByText('Transferred to Bob').waitFor();
  await region(bobPage, /Mine/).getByRole('button', { name: /Only for Alice/ }).click();
  await bobPage.getByRole('log').getByText('Waiting for someone').waitFor();

  // Turned on: the consoles are closed by the server and come back with the All view.
  await setWidgetSettings(env(), { agentsSeeAll: true });
  await alicePage.getByRole('tab', { name: /^All/ }).click();
  await region(alicePage, /All/).getByRole('button', { name: /Only for Alice/ }).waitFor();
  expect(env().pageErrors).toEqual([]);
});
