/**
 * What the widget costs the customer's page's main thread on a slow device: the same page without the widget,
 * with it for a new visitor (the bubble only), for a returning visitor (whose conversation creates the frame at
 * load), and for a new visitor who opens the chat, each loaded on a CPU slowed by Chromium's throttling.
 */
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import type { BenchConfig } from './config.ts';
import { round } from './stats.ts';

export interface MainThreadCost {
  /** Long tasks over all measured loads, and the longest. */
  longTasks: number;
  longestMs: number;
  /** Per load: each long task's time over 50 ms, as Total Blocking Time counts it. */
  blockingMs: number;
  /** Per load: JavaScript run in the page's renderer (Chrome's ScriptDuration), the same-site frame's included. */
  scriptMs: number;
}

export interface MainThreadResult {
  cpuSlowdown: number;
  loads: number;
  settleMs: number;
  cases: Record<string, MainThreadCost>;
}

/** What the visitor does once the page has loaded, and what shows the case is done (checked after measuring). */
interface Visit {
  act?(page: Page): Promise<void>;
  ready(page: Page): Promise<unknown>;
}

interface BenchWindow {
  __bench: { longTasks: { duration: number }[] };
}

const chatFrame = (page: Page) => page.frameLocator('parley-widget iframe');
const launcherShown = (page: Page) => page.getByRole('button', { name: /^Open chat/ }).waitFor();

export async function measureMainThread(browser: Browser, pageUrl: { with: string; without: string }, config: BenchConfig): Promise<MainThreadResult> {
  const { cpuSlowdown, loads, settleMs } = config.widget.slowed;
  const context = () => browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });

  /** One load of the page on the slowed CPU, acted on as the visit says. */
  async function load(browserContext: BrowserContext, url: string, visit: Visit): Promise<{ page: Page; cdp: CDPSession }> {
    const page = await browserContext.newPage();
    page.setDefaultTimeout(30_000);
    const cdp = await browserContext.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
    await cdp.send('Performance.enable');
    await page.goto(url, { waitUntil: 'load' });
    await visit.act?.(page);
    return { page, cdp };
  }

  /** One unmeasured load warms the browser's caches and compiler; then `loads` loads, each given `settleMs`. */
  async function cost(browserContext: BrowserContext, url: string, visit: Visit): Promise<MainThreadCost> {
    const warm = await load(browserContext, url, visit);
    await visit.ready(warm.page);
    await warm.page.close();
    const tasks: number[] = [];
    let scriptMs = 0;
    for (let i = 0; i < loads; i++) {
      const { page, cdp } = await load(browserContext, url, visit);
      await page.waitForTimeout(settleMs);
      tasks.push(...(await page.evaluate(() => (window as unknown as BenchWindow).__bench.longTasks.map((t) => t.duration))));
      const { metrics } = await cdp.send('Performance.getMetrics');
      scriptMs += (metrics.find((m) => m.name === 'ScriptDuration')?.value ?? 0) * 1000;
      await visit.ready(page);
      await page.close();
    }
    await browserContext.close();
    return {
      longTasks: tasks.length,
      longestMs: round(Math.max(0, ...tasks)),
      blockingMs: round(tasks.reduce((sum, ms) => sum + Math.max(0, ms - 50), 0) / loads),
      scriptMs: round(scriptMs / loads),
    };
  }

  // A returning visitor: their conversation exists (one line sent, and stored), so the frame is created at load.
  const returning = await context();
  const first = await returning.newPage();
  await first.goto(pageUrl.with);
  await first.getByRole('button', { name: /^Open chat/ }).click();
  await chatFrame(first).getByRole('textbox', { name: 'Message' }).fill('Back again');
  await chatFrame(first).getByRole('button', { name: 'Send' }).click();
  await chatFrame(first).locator('li.message.mine:not(.sending, .failed)', { hasText: 'Back again' }).waitFor({ timeout: 15_000 });
  await first.close();

  const cases: Record<string, MainThreadCost> = {
    'no widget': await cost(await context(), pageUrl.without, { ready: (page) => page.locator('h1').waitFor() }),
    'new visitor, bubble only': await cost(await context(), pageUrl.with, { ready: launcherShown }),
    'returning visitor, frame at load': await cost(returning, pageUrl.with, {
      // The panel stays closed: the transcript is in the frame, not shown.
      ready: (page) => chatFrame(page).locator('li.message', { hasText: 'Back again' }).first().waitFor({ state: 'attached' }),
    }),
    'new visitor opens the chat': await cost(await context(), pageUrl.with, {
      // A click where the launcher is drawn (bottom right, 56 px, 20 px in), once widget.js has had time to run;
      // no Playwright query in the page, which would run Playwright's own script there.
      act: async (page) => {
        await page.waitForTimeout(1500);
        await page.mouse.click(1280 - 20 - 28, 720 - 20 - 28);
      },
      ready: (page) => chatFrame(page).getByRole('textbox', { name: 'Message' }).waitFor(),
    }),
  };
  return { cpuSlowdown, loads, settleMs, cases };
}
