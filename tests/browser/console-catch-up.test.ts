/**
 * An open transcript fetches what live events do not bring: the system line of an assignment from the queue
 * reaches agents only as a conversation change, and a console with the conversation open shows the line anyway.
 * Needs `npm run build` (npm test runs it) and Chromium at /usr/bin/chromium.
 */
import { expect, test } from 'vitest';
import type { SendResult } from '../../server/contract/events.ts';
import { createAgent, ok, setStatus, signIn, socketAgent, socketVisitor, useConsoleEnv } from './console-support.ts';

const { env: environment, sockets } = useConsoleEnv();

test('a queued conversation open in a tab shows its assignment to another agent without a reload', async () => {
  const env = environment();
  const alicePage = await signIn(env, await createAgent(env, 'Alice'));
  // Away: the conversation waits in the queue until Bob comes online.
  await setStatus(alicePage, 'Away');
  const bob = await createAgent(env, 'Bob');
  const visitor = await socketVisitor(env);
  sockets.push(visitor.socket);
  await ok<SendResult>(visitor.socket, 'message:send', { clientId: crypto.randomUUID(), body: 'Anyone there?' });

  const queue = alicePage.getByRole('navigation', { name: 'Conversations' }).getByRole('region', { name: /Queue/ });
  await queue.getByRole('button', { name: /Anyone there\?/ }).click();
  const transcript = alicePage.getByRole('log');
  await transcript.getByText('Anyone there?').waitFor();

  // Bob's console connects (online, his stored status): routing gives him the waiting conversation.
  sockets.push(await socketAgent(env, bob));

  await transcript.locator('.system', { hasText: 'Assigned to Bob' }).waitFor();
  expect(await transcript.locator('.system').allTextContents()).toEqual(['Assigned to Bob']);
  expect(env.pageErrors).toEqual([]);
});
