/**
 * The widget's weight limits, how its JavaScript is weighed (gzip -9, every chunk), and a Vite plugin
 * that prints the weight of a build and fails it over budget.
 */
import { gzipSync } from 'node:zlib';
import type { Plugin, Rolldown } from 'vite';

/** widget.js, the loader every page of a site downloads. */
export const LOADER_BUDGET = 3 * 1024;
/** Everything the chat frame runs for its first render, Preact and socket.io-client included. */
export const FRAME_BUDGET = 40 * 1024;

export function gzippedJavaScript(outputs: Iterable<Rolldown.OutputChunk | Rolldown.OutputAsset>): number {
  let total = 0;
  for (const output of outputs) if (output.type === 'chunk') total += gzipSync(output.code, { level: 9 }).length;
  return total;
}

export const summary = (label: string, bytes: number, budget: number): string =>
  `${label}: ${bytes} B of JavaScript gzipped (budget ${budget} B)${bytes > budget ? ': over budget' : ''}`;

export function sizeBudget(label: string, budget: number): Plugin {
  return {
    name: 'parley:size-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const bytes = gzippedJavaScript(Object.values(bundle));
      if (bytes > budget) this.error(summary(label, bytes, budget));
      this.info(summary(label, bytes, budget));
    },
  };
}
