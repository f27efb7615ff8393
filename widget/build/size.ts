/**
 * `npm run size`: builds widget.js and the chat frame in memory, prints their gzipped JavaScript, and
 * exits 1 when either is over its budget. Deterministic, so it can gate CI.
 */
import { build, type InlineConfig, type Rolldown } from 'vite';
import frameConfig from '../vite.frame.config.ts';
import loaderConfig from '../vite.loader.config.ts';
import { FRAME_BUDGET, gzippedJavaScript, LOADER_BUDGET, summary } from './size-budget.ts';

async function weigh(config: InlineConfig): Promise<number> {
  const result = await build({
    ...config,
    configFile: false,
    logLevel: 'silent',
    // The budget plugin would stop an over-budget build before it can be reported here.
    plugins: config.plugins?.flat().filter((plugin) => !(plugin && 'name' in plugin && plugin.name === 'parley:size-budget')),
    build: { ...config.build, write: false },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  return gzippedJavaScript(outputs.flatMap((output) => output.output));
}

let over = false;
for (const [label, config, budget] of [
  ['widget.js', loaderConfig, LOADER_BUDGET],
  ['frame', frameConfig, FRAME_BUDGET],
] as const) {
  const bytes = await weigh(config);
  over ||= bytes > budget;
  console.log(summary(label, bytes, budget));
}
process.exitCode = over ? 1 : 0;
