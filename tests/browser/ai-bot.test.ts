/**
 * The AI bot in Chromium, against the real server, the real knowledge base and a scripted OpenAI-compatible model
 * server on loopback: the visitor types a question and sees an article suggestion, sends it, reads the bot's
 * answer citing the article, clicks "Talk to a person", and an agent gets the conversation in the console with the
 * bot's part above; the admin's evaluation shows what the bot would answer. Needs `npm run build` (npm test runs it) and Chromium at /usr/bin/chromium.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BotDTO } from '../../server/contract/bots.ts';
import type { ArticleDTO } from '../../server/contract/knowledge-base.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';
import { expectAccessible } from './axe.ts';
import { ADMIN, api, createAgent, openSection, openWidget, signIn, useConsoleEnv } from './console-support.ts';
import { send as widgetSend } from './widget-harness.ts';

const { env } = useConsoleEnv();
let fake: FakeOpenAi | undefined;

beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(async () => {
  await fake?.close();
});

const QUESTION = 'How long does shipping to Spain take?';
const ANSWER = 'Parcels to Spain arrive within 4 working days [1].';

test('visitor sees an article suggestion, gets the AI bot\'s answer citing it, "Talk to a person" brings an agent with the bot part above', async () => {
  const admin = <T>(method: string, path: string, body?: unknown) => api<T>(env().server.url, env().adminToken, method, path, body);
  const article = await admin<ArticleDTO>('POST', `/sites/${env().site.id}/kb/articles`, {
    slug: 'shipping-times', title: 'Shipping times', body: 'Parcels to Spain arrive within 4 working days.', tags: ['shipping'], published: true,
  });
  const bot = await admin<BotDTO>('POST', `/sites/${env().site.id}/bots`, { name: 'Sam', kind: 'openai', config: { baseUrl: fake!.baseUrl, model: 'llama3.2:3b' } });
  expect(bot).toMatchObject({ kind: 'openai', when: 'always', enabled: true });
  fake!.script.push({ reply: ANSWER, pieceDelayMs: 30 });
  const zoe = await createAgent(env(), 'Zoe', 1);
  const agentPage = await signIn(env(), zoe);

  const { chat } = await openWidget(env());
  await chat.getByRole('textbox', { name: 'Message' }).pressSequentially(QUESTION, { delay: 10 });
  const suggestions = chat.getByRole('region', { name: 'These articles may answer your question' });
  await suggestions.getByRole('link', { name: 'Shipping times' }).waitFor();
  await widgetSend(chat, QUESTION);

  // The answer, one message, with the article it used as a link (rendered by the safe renderer).
  const log = chat.getByRole('log');
  await log.getByText('Parcels to Spain arrive within 4 working days', { exact: false }).waitFor();
  const cited = log.getByRole('link', { name: 'Shipping times' });
  expect(await cited.getAttribute('href')).toBe(article.url);
  expect(fake!.requests).toHaveLength(1);

  const talk = chat.getByRole('button', { name: 'Talk to a person' });
  await talk.click();
  await log.getByText('Handed to a person; waiting for the next available agent').waitFor();
  await expect.poll(() => talk.count()).toBe(0);

  // Zoe is online with room: routing gives her the handed-off conversation, the bot's answer above the handoff.
  const mine = agentPage.getByRole('navigation', { name: 'Conversations' }).getByRole('region', { name: /Mine/ });
  await mine.getByRole('button', { name: /^Visitor / }).click();
  const agentLog = agentPage.getByRole('log');
  await agentLog.getByText('Parcels to Spain arrive within 4 working days', { exact: false }).waitFor();
  const texts = await agentLog.locator('li').allTextContents();
  const asked = texts.findIndex((x) => x.includes(QUESTION));
  const answered = texts.findIndex((x) => x.includes('within 4 working days'));
  const handedOff = texts.findIndex((x) => x.includes('Handed to a person by the bot'));
  expect(asked).toBeGreaterThanOrEqual(0);
  expect(answered).toBeGreaterThan(asked);
  expect(handedOff).toBeGreaterThan(answered);
  expect(await agentLog.locator('li.message.bot').count()).toBe(1);
  expect(await agentLog.locator('li.message.bot').getByRole('link', { name: 'Shipping times' }).getAttribute('href')).toBe(article.url);
  expect(env().pageErrors).toEqual([]);
}, 60_000);

test('the console evaluation shows, per question, whether the site\'s AI bot answered citing the expected article, and its totals', async () => {
  // The site, its article and its AI bot Sam from the test above.
  await api(env().server.url, env().adminToken, 'POST', `/sites/${env().site.id}/kb/eval`, { question: QUESTION, articleSlug: 'shipping-times' });
  fake!.script.push({ reply: ANSWER, usage: { prompt: 250, completion: 11 } });
  const admin = await signIn(env(), ADMIN);
  await openSection(admin, 'Knowledge base');
  await admin.getByRole('button', { name: 'Run evaluation' }).click();
  await admin.getByText('Sam: answered 1, handed off 0, cited the expected article 1 of 1; 250 prompt + 11 answer tokens').waitFor();
  const row = admin.getByRole('row', { name: QUESTION });
  expect(await row.getByTestId('kb-eval-ai').innerText()).toBe('Answered, cited');
  await expectAccessible(admin, 'knowledge-base evaluation with the AI bot column');
  expect(env().pageErrors).toEqual([]);
}, 60_000);
