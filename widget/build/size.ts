/**
 * `npm run size`: builds dist/, starts Parley on a free port with a throwaway SQLite file, and weighs the
 * loader and the chat frame as Parley sends them to a browser (see wire-size.ts). Exits 1 when either is
 * over its budget with brotli, which every current browser asks for.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createParley } from '../../server/composition.ts';
import { loadConfig } from '../../server/config.ts';
import { FRAME_BUDGET, LOADER_BUDGET } from './size-budget.ts';
import { describeWire, measureWidgetWire } from './wire-size.ts';

execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });

const dataDir = mkdtempSync(join(tmpdir(), 'parley-size-'));
const parley = await createParley(
  loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_PASSWORD: 'size-check-only', LOG_LEVEL: 'warn' }),
  { log: pino({ level: 'warn' }) },
);
try {
  const wire = await measureWidgetWire(await parley.listen());
  let over = false;
  for (const [label, bytes, budget] of [
    ['widget.js', wire.loader, LOADER_BUDGET],
    [`frame (${wire.frame.files.join(', ')})`, wire.frame, FRAME_BUDGET],
  ] as const) {
    over ||= bytes.br > budget;
    console.log(`${label}: ${describeWire(bytes)} (budget ${budget} B with br)${bytes.br > budget ? ': over budget' : ''}`);
  }
  process.exitCode = over ? 1 : 0;
} finally {
  await parley.close();
  rmSync(dataDir, { recursive: true, force: true });
}
