/**
 * The widget's weight limits, and a Vite plugin that weighs a build's JavaScript as Parley will send it
 * (brotli, as precompressed) and fails it over budget. `npm run size` checks the same limits on the wire.
 */
import type { Plugin, Rolldown } from 'vite';
import { brotliMax } from './encodings.ts';

/** widget.js, the loader every page of a site downloads. */
export const LOADER_BUDGET = 3 * 1024;
/** Everything the chat frame runs for its first render, Preact and socket.io-client included. */
export const FRAME_BUDGET = 40 * 1024;

function brotliJavaScript(outputs: Iterable<Rolldown.OutputChunk | Rolldown.OutputAsset>): number {
  let total = 0;
  for (const output of outputs) if (output.type === 'chunk') total += brotliMax(Buffer.from(output.code)).length;
  return total;
}

const summary = (label: string, bytes: number, budget: number): string =>
  `${label}: ${bytes} B of JavaScript with brotli (budget ${budget} B)${bytes > budget ? ': over budget' : ''}`;

export function sizeBudget(label: string, budget: number): Plugin {
  return {
    name: 'parley:size-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const bytes = brotliJavaScript(Object.values(bundle));
      if (bytes > budget) this.error(summary(label, bytes, budget));
      this.info(summary(label, bytes, budget));
    },
  };
}
