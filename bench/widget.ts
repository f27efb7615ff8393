/**
 * The widget as a customer's page sees it: the bytes Parley sends of it, time from the script tag to
 * the bubble on screen, the page's long tasks with and without the widget (never opened), in Chromium, and
 * the page's main thread on a slowed CPU (widget-main-thread.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { measureWidgetWire, type WidgetWire } from '../widget/build/wire-size.ts';
import type { BenchConfig } from './config.ts';
import { spawnTracked } from './processes.ts';
import type { Site } from './setup.ts';
import { round, summarize, type Summary, withTimeout } from './stats.ts';
import { measureMainThread, type MainThreadResult } from './widget-main-thread.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'];

export interface LongTasks {
  /** Long tasks seen over all runs, and their total duration. */
  count: number;
  totalMs: number;
  longestMs: number;
  /** Each one: when it started, relative to the script tag (the point where the widget would be), and how long it took. */
  tasks: { atMs: number; durationMs: number }[];
}

export interface WidgetResult {
  /** Bytes on the wire from the measured server, as `npm run size` counts them. */
  sizes: WidgetWire;
  /** Script tag to the first frame with the bubble, each run in a fresh browser context (cold cache). */
  bubbleMs: Summary;
  longTasks: { withWidget: LongTasks; withoutWidget: LongTasks; runs: number; observeMs: number };
  mainThread: MainThreadResult;
}

/** `npm run build`: what dist/ holds is what gets measured. */
export function buildDist(): Promise<void> {
  const child = spawnTracked('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const built = new Promise<void>((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build failed:\n${errors.slice(-2000)}`)))),
  );
  return withTimeout(built, 120_000, 'npm run build');
}

export interface HostPage {
  /** An allowed origin of the site: give it to the site before the run. */
  origin: string;
  close(): void;
}

/**
 * A customer's page on an origin of its own, on loopback like Parley (Chromium refuses a page served from
 * anywhere else the loader's requests to 127.0.0.1). `/with?parley=URL&site=KEY` embeds the widget.
 */
export async function startHostPage(): Promise<HostPage> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const parley = url.searchParams.get('parley');
    const site = url.searchParams.get('site');
    const known = url.pathname === '/with' || url.pathname === '/without';
    res.writeHead(known ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(known ? hostPage(url.pathname === '/with' && parley && site ? { parleyUrl: parley, siteKey: site } : null) : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

export async function measureWidget(host: HostPage, parleyUrl: string, site: Site, config: BenchConfig, log: (line: string) => void): Promise<WidgetResult> {
  const sizes = await measureWidgetWire(parleyUrl);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const pageUrl = { with: `${host.origin}/with?${new URLSearchParams({ parley: parleyUrl, site: site.key })}`, without: `${host.origin}/without` };
    const bubble: number[] = [];
    const tasks = { withWidget: [] as LongTasks['tasks'], withoutWidget: [] as LongTasks['tasks'] };
    // Run -1 only warms the server up (its first requests compile); every run has a cold browser cache.
    for (let run = -1; run < config.widget.runs; run++) {
      for (const withWidget of run < 0 ? [true] : [true, false]) {
        const context = await browser.newContext({ locale: 'en-US' });
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        await page.goto(withWidget ? pageUrl.with : pageUrl.without);
        if (withWidget) {
          await page.waitForFunction(() => (window as unknown as BenchWindow).__bench.bubbleAt !== undefined);
          await page.getByRole('button', { name: /Open chat/ }).waitFor({ state: 'visible' });
        }
        if (run < 0) {
          await context.close();
          continue;
        }
        await page.waitForTimeout(config.widget.observeMs);
        const seen = await page.evaluate(() => (window as unknown as BenchWindow).__bench);
        if (withWidget) bubble.push(seen.bubbleAt! - seen.tagAt);
        const relative = seen.longTasks.map((t) => ({ atMs: round(t.start - seen.tagAt), durationMs: round(t.duration) }));
        tasks[withWidget ? 'withWidget' : 'withoutWidget'].push(...relative);
        await context.close();
      }
    }
    const longTasks = (seen: LongTasks['tasks']): LongTasks => ({
      count: seen.length,
      totalMs: round(seen.reduce((sum, t) => sum + t.durationMs, 0)),
      longestMs: round(Math.max(0, ...seen.map((t) => t.durationMs))),
      tasks: seen,
    });
    const result: WidgetResult = {
      sizes,
      bubbleMs: summarize(bubble),
      longTasks: { withWidget: longTasks(tasks.withWidget), withoutWidget: longTasks(tasks.withoutWidget), runs: config.widget.runs, observeMs: config.widget.observeMs },
      mainThread: await measureMainThread(browser, pageUrl, config),
    };
    log(`widget: loader ${sizes.loader.br} B br, bubble after ${result.bubbleMs.p50} ms, long tasks ${result.longTasks.withWidget.count} with / ${result.longTasks.withoutWidget.count} without`);
    return result;
  } finally {
    await browser.close();
  }
}

interface BenchWindow {
  __bench: { tagAt: number; bubbleAt?: number; longTasks: { start: number; duration: number }[] };
}

/**
 * A customer's page: long tasks observed from its first script on, the time noted just before the widget's
 * script tag, and the first frame in which the bubble is on screen.
 */
function hostPage(widget: { parleyUrl: string; siteKey: string } | null): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title><link rel="icon" href="data:,">
<script>
window.__bench = { longTasks: [] };
new PerformanceObserver((list) => { for (const t of list.getEntries()) __bench.longTasks.push({ start: t.startTime, duration: t.duration }); })
  .observe({ type: 'longtask', buffered: true });
</script>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto}</style></head>
<body><h1>Shop</h1>
${'<p>Fresh coffee beans, roasted to order and shipped the same day. Free delivery over 30 euros.</p>\n'.repeat(30)}
<script>
__bench.tagAt = performance.now();
const bubble = () => document.querySelector('parley-widget')?.shadowRoot?.querySelector('button[aria-label^="Open chat"]');
const seen = () => {
  const button = bubble();
  if (button && button.getBoundingClientRect().width > 0) __bench.bubbleAt = performance.now();
  else if (performance.now() - __bench.tagAt < 15000) requestAnimationFrame(seen);
};
new MutationObserver((_, observer) => { if (bubble()) { observer.disconnect(); requestAnimationFrame(seen); } })
  .observe(document.documentElement, { childList: true, subtree: true });
</script>
${widget ? `<script async src="${attribute(`${widget.parleyUrl}/widget.js`)}" data-site="${attribute(widget.siteKey)}"></script>` : ''}
</body></html>`;
}

const attribute = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
