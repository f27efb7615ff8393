/**
 * A conversation's emails in the console: the visitor's address as a mailto link, and an email about the
 * conversation (the transcript the visitor asks for) appearing live in the visitor panel once the relay took it.
 * Continuity emails, which wait the site's emailAfterMinutes, reach the same list: tests/integration/email-continuity.test.ts
 * moves a clock for them.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { MessageDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { startSmtpRelay, type SmtpRelay } from '../support/smtp-relay.ts';
import { HEARD_WITHIN_MS, nextEvent } from '../support/socket-waits.ts';
import { ADMIN, ok, signIn, socketVisitor, useConsoleEnv } from './console-support.ts';

let relay: SmtpRelay;

beforeAll(async () => {
  relay = await startSmtpRelay();
});

afterAll(async () => {
  await relay?.close();
});

const { env } = useConsoleEnv(() => ({ SMTP_URL: `smtp://127.0.0.1:${relay.port}`, MAIL_FROM: 'Support <support@shop.example>' }));

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

  const replied = nextEvent<MessageDTO>(visitor.socket, 'message:new', undefined, HEARD_WITHIN_MS);
  await page.getByLabel('Reply', { exact: true }).fill('It left our warehouse today.');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const { conversationId } = await replied;
  expect(await ok(visitor.socket, 'conversation:emailTranscript', { conversationId })).toEqual({ email: 'vera@example.net' });
  visitor.socket.disconnect();

  const sent = panel.locator('.emails li', { hasText: 'Transcript' });
  await sent.getByText('Sent', { exact: true }).waitFor();
  await sent.getByText('vera@example.net').waitFor();
  expect(relay.received).toHaveLength(1);
  expect(relay.received[0]).toContain('It left our warehouse today.');
  expect(env().pageErrors).toEqual([]);
});
