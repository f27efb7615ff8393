/**
 * A rule bot in Chromium, against the real server: the visitor asks, the bot answers in the widget, the visitor
 * clicks "Talk to a person", and an agent gets the conversation with the bot's part above, marked as the bot's.
 * Needs `npm run build` (npm test runs it) and Chromium at /usr/bin/chromium.
 */
import { expect, test } from 'vitest';
import type { BotDTO } from '../../server/contract/bots.ts';
import { api, createAgent, openWidget, signIn, useConsoleEnv } from './console-support.ts';
import { send as widgetSend } from './widget-harness.ts';

const { env } = useConsoleEnv();

test('visitor asks, the rule bot answers, "Talk to a person" hands the conversation to an agent with the bot part above', async () => {
  const bot = await api<BotDTO>(env().server.url, env().adminToken, 'POST', `/sites/${env().site.id}/bots`, {
    name: 'Hours bot',
    kind: 'rule',
    config: { rules: [{ type: 'keyword', match: 'hours', answer: 'We are open 9 to 5.' }] },
  });
  expect(bot).toMatchObject({ kind: 'rule', when: 'always', enabled: true });
  const zoe = await createAgent(env(), 'Zoe', 1);
  const agentPage = await signIn(env(), zoe);

  const { chat } = await openWidget(env());
  await widgetSend(chat, 'What are your hours?');
  await chat.getByRole('log').getByText('We are open 9 to 5.').waitFor();
  const talk = chat.getByRole('button', { name: 'Talk to a person' });
  await talk.click();
  await chat.getByRole('log').getByText('Handed to a person; waiting for the next available agent').waitFor();
  await expect.poll(() => talk.count()).toBe(0);

  // Zoe is online with room: routing gives her the handed-off conversation.
  const mine = agentPage.getByRole('navigation', { name: 'Conversations' }).getByRole('region', { name: /Mine/ });
  await mine.getByRole('button', { name: /^Visitor / }).click();
  const log = agentPage.getByRole('log');
  await log.getByText('We are open 9 to 5.').waitFor();
  const texts = await log.locator('li').allTextContents();
  const asked = texts.findIndex((x) => x.includes('What are your hours?'));
  const answered = texts.findIndex((x) => x.includes('We are open 9 to 5.'));
  const handedOff = texts.findIndex((x) => x.includes('Handed to a person by the bot'));
  expect(asked).toBeGreaterThanOrEqual(0);
  expect(answered).toBeGreaterThan(asked);
  expect(handedOff).toBeGreaterThan(answered);
  await expect.poll(() => log.locator('li.message.bot').count()).toBe(1);
  expect(await log.locator('li.message.bot .bot-badge').textContent()).toBe('Bot');
  expect(env().pageErrors).toEqual([]);
}, 60_000);
