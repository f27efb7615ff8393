/**
 * A conversation's emails in the console: the visitor's address as a mailto link, and the continuity email
 * appearing live in the visitor panel (queued, then sent) once the visitor left an agent reply unread for the
 * site's emailAfterMinutes (1, the shortest: this test waits a real minute).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SendResult } from '../../server/contract/events.ts';
import { startSmtpRelay, type SmtpRelay } from '../support/smtp-relay.ts';
import { HEARD_WITHIN_MS, nextEvent } from '../support/socket-waits.ts';
import { ADMIN, ok, setWidgetSettings, signIn, socketVisitor, useConsoleEnv } from './console-support.ts';

let relay: SmtpRelay;

beforeAll(async () => {
  relay = await startSmtpRelay();
});

afterAll(async () => {
  await relay?.close();
});

const { env } = useConsoleEnv(() => ({ SMTP_URL: `smtp://127.0.0.1:${relay.port}`, MAIL_FROM: 'Support <support@shop.example>' }));

beforeAll(() => setWidgetSettings(env(), { emailAfterMinutes: 1 }));

test('the visitor panel shows the email sent about the conversation, live', async () => {
  const page: Page = await signIn(env(), ADMIN);
  const visitor = await socketVisitor(env());
  await ok(visitor.socket, 'visitor:update', { name: 'Vera', email: 'vera@example.net' });
  await ok<SendResult>(visitor.socket, 'message:send', { clientId: crypto.randomUUID(), body: 'Where is my parcel?' });

  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: /Where is my parcel/ }).click();
  await page.getByRole('log').getByText('Where is my parcel?').waitFor();
  const claim = page.getByRole('button', { name: 'Claim', exact: true });
  if (await claim.isVisible()) await claim.click();
  const panel = page.getByRole('complementary', { name: 'Visitor' });
  expect(await panel.getByRole('link', { name: 'vera@example.net' }).getAttribute('href')).toBe('mailto:vera@example.net');
  await panel.getByText('None yet.').waitFor();

  const replied = nextEvent(visitor.socket, 'message:new', undefined, HEARD_WITHIN_MS);
  await page.getByLabel('Reply', { exact: true }).fill('It left our warehouse today.');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await replied;
  visitor.socket.disconnect();

  const sent = panel.locator('.emails li', { hasText: 'Missed replies' });
  await sent.getByText('Sent', { exact: true }).waitFor({ timeout: 120_000 });
  await sent.getByText('vera@example.net').waitFor();
  expect(relay.received).toHaveLength(1);
  expect(relay.received[0]).toContain('It left our warehouse today.');
  expect(env().pageErrors).toEqual([]);
}, 180_000);
