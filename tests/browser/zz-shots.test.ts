import { test } from 'vitest';
import { ADMIN, api, createAgent, ok, signIn, socketVisitor, startEnv, stopEnv } from './console-support.ts';

test('shots', async () => {
  const env = await startEnv();
  try {
    await createAgent(env, 'Alice');
    await api(env.server.url, env.adminToken, 'POST', '/canned', { siteId: null, shortcut: 'thanks', title: 'Thank you', body: 'Thanks for waiting!' });
    const page = await signIn(env, ADMIN);
    await page.setViewportSize({ width: 1024, height: 720 });
    const v = await socketVisitor(env);
    await ok(v.socket, 'visitor:update', { name: 'Mia Chen', email: 'mia@example.com', attributes: { plan: 'pro' }, context: { locale: 'en-GB', timezone: 'Europe/London', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15', referrer: 'https://www.google.com/', pageUrl: 'https://shop.example.com/pricing', pageTitle: 'Pricing' } });
    await ok(v.socket, 'message:send', { clientId: crypto.randomUUID(), body: 'Hello! Is **this** working? See https://example.com/x and `code`' });
    const w = await socketVisitor(env);
    await ok(w.socket, 'message:send', { clientId: crypto.randomUUID(), body: 'Second visitor waiting' });
    await page.waitForTimeout(1500);
    await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: /Mia/ }).click();
    await page.waitForTimeout(800);
    await page.getByLabel('Reply', { exact: true }).fill('/th');
    await page.waitForTimeout(300);
    await page.screenshot({ path: '/tmp/dbg/conv.png' });
    await page.getByLabel('Reply', { exact: true }).fill('');
    await page.getByLabel('Private note').check();
    await page.screenshot({ path: '/tmp/dbg/note.png' });
    for (const s of ['Sites', 'Agents', 'Reports']) {
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: s }).click();
      await page.waitForTimeout(700);
      await page.screenshot({ path: `/tmp/dbg/${s}.png`, fullPage: false });
    }
    v.socket.disconnect(); w.socket.disconnect();
  } finally {
    await stopEnv(env);
  }
}, 90000);
