/**
 * axe-core (WCAG 2.2 AA) on the widget in each state a visitor meets: the conversation, the offline form,
 * the pre-chat form and the rating after a resolve, left to right and right to left. The host page's
 * part (the launcher in its shadow root) and the chat frame are separate documents, checked apart.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, test } from 'vitest';
import { expectAccessible } from './axe.ts';
import { chatFrame, frameOf, WidgetHarness } from './widget-harness.ts';

let h: WidgetHarness;

beforeAll(async () => {
  h = await WidgetHarness.start();
});

afterAll(async () => {
  await h?.stop();
});

/** Opens the panel with the launcher, whatever language names it. */
async function openChat(page: Page) {
  await page.locator('parley-widget').getByRole('button').click();
  return chatFrame(page);
}

/** Checks the launcher on the host page and the whole chat frame. */
async function expectWidgetAccessible(page: Page, state: string): Promise<void> {
  await expectAccessible(page, `${state}, launcher`, 'parley-widget');
  await expectAccessible(await frameOf(page, h.server.url), `${state}, chat frame`);
}

for (const locale of ['en-US', 'ar']) {
  test(`${locale}: the conversation with messages both ways, then the rating after a resolve`, async () => {
    const site = await h.createSite();
    const agent = await h.connectAgent('Aya', site);
    const page = await h.openShop(await h.newContext({ site }, { locale }));
    const chat = await openChat(page);
    const arrived = agent.messageFromVisitor('Is the blue pot in stock?');
    // By its place, not its name: the name is in the visitor's language.
    await chat.locator('.composer textarea').fill('Is the blue pot in stock?');
    await chat.locator('.composer textarea').press('Enter');
    const { conversationId } = await arrived;
    await agent.replyTo(arrived, 'Yes, **two** left: see [the pot](https://shop.test/pot).');
    await chat.getByRole('log').getByText('two').waitFor();
    await expectWidgetAccessible(page, `${locale} conversation`);

    // A message the server has not confirmed yet is shown as sending, and must stay as readable.
    await page.context().setOffline(true);
    await chat.locator('.composer textarea').fill('And the red one?');
    await chat.locator('.composer textarea').press('Enter');
    await chat.locator('li.message.mine.sending').waitFor();
    await expectWidgetAccessible(page, `${locale} conversation with a message sending`);
    await page.context().setOffline(false);
    await chat.locator('li.message.mine.sending').waitFor({ state: 'detached' });

    await agent.command('conversation:resolve', { conversationId });
    await chat.getByRole('radio').first().waitFor();
    await expectWidgetAccessible(page, `${locale} rating`);
  });

  test(`${locale}: the offline form and the pre-chat form`, async () => {
    const closed = await h.createSite();
    const offline = await h.openShop(await h.newContext({ site: closed }, { locale }));
    const offlineChat = await openChat(offline);
    await offlineChat.locator('input[type=email]').waitFor();
    await expectWidgetAccessible(offline, `${locale} offline form`);

    const asking = await h.createSite({ widgetSettings: { prechat: { enabled: true, nameRequired: false, emailRequired: true } } });
    await h.connectAgent('Ben', asking);
    const prechat = await h.openShop(await h.newContext({ site: asking }, { locale }));
    const prechatChat = await openChat(prechat);
    await prechatChat.locator('input[type=email]').waitFor();
    await expectWidgetAccessible(prechat, `${locale} pre-chat form`);
  });
}
