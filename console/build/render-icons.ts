/**
 * Renders the console's PNG icons (console/public/icon-*.png, committed) from icon.svg with Chromium, the one
 * rasteriser at hand: run `npx tsx console/build/render-icons.ts` after changing the SVG. The maskable icon
 * has square corners: the platform cuts it to its own shape, and the bubble stays inside the safe zone.
 */
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const publicDir = new URL('../public/', import.meta.url);
const svg = readFileSync(new URL('icon.svg', publicDir), 'utf8');
const ICONS = [
  { size: 192, file: 'icon-192.png', maskable: false },
  { size: 512, file: 'icon-512.png', maskable: false },
  { size: 512, file: 'icon-maskable-512.png', maskable: true },
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  for (const { size, file, maskable } of ICONS) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const drawing = (maskable ? svg.replace('rx="96"', 'rx="0"') : svg).replace('<svg ', `<svg width="${size}" height="${size}" `);
    await page.setContent(`<body style="margin:0">${drawing}</body>`);
    await page.screenshot({ path: new URL(file, publicDir).pathname, omitBackground: true });
    await page.close();
  }
} finally {
  await browser.close();
}
