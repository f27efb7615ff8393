/** API keys in the console (created, shown once, used, revoked) and the API docs page, in Chromium. */
import { expect, test } from 'vitest';
import { expectAccessible } from './axe.ts';
import { ADMIN, openPage, openSection, signIn, useConsoleEnv } from './console-support.ts';

const { env } = useConsoleEnv();

const conversations = (key: string) => fetch(`${env().server.url}/api/v1/conversations`, { headers: { authorization: `Bearer ${key}` } });

test('an admin creates an API key, sees it once, and revokes it', async () => {
  const page = await signIn(env(), ADMIN);
  await openSection(page, 'API keys');
  const form = page.getByRole('form', { name: 'New API key' });
  await form.getByLabel('Name').fill('CRM sync');
  await form.getByLabel('conversations:write').check();
  await form.getByRole('button', { name: 'Create key' }).click();
  const shown = form.getByLabel(/shown only now/);
  await shown.waitFor();
  const key = await shown.inputValue();
  expect(key).toMatch(/^pk_/);
  await expectAccessible(page, 'API keys with a new key shown');

  expect((await conversations(key)).status).toBe(200);
  const row = page.getByRole('row', { name: /CRM sync/ });
  await row.getByText('Active').waitFor();
  page.once('dialog', (dialog) => void dialog.accept());
  await row.getByRole('button', { name: 'Revoke CRM sync' }).click();
  await row.getByText('Revoked').waitFor();
  expect((await conversations(key)).status).toBe(401);
  expect(env().pageErrors).toEqual([]);
});

test('the API docs page renders the OpenAPI document offline, under its CSP', async () => {
  const violations: string[] = [];
  const page = await openPage(env(), '/api/v1/docs');
  page.on('console', (message) => message.type() === 'error' && violations.push(message.text()));
  await page.getByText('/conversations/{id}/messages').first().waitFor();
  await page.getByRole('heading', { name: /Parley REST API/ }).waitFor();
  expect(violations.filter((v) => v.includes('Content Security Policy'))).toEqual([]);
  expect(env().pageErrors).toEqual([]);
});
