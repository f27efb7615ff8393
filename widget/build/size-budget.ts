/** A Vite plugin that prints the gzipped size of a build's JavaScript and fails the build over budget. */
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

export function sizeBudget(label: string, maxGzipBytes: number): Plugin {
  return {
    name: 'parley:size-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      let total = 0;
      for (const output of Object.values(bundle)) {
        if (output.type === 'chunk') total += gzipSync(output.code, { level: 9 }).length;
      }
      const summary = `${label}: ${total} B of JavaScript gzipped (budget ${maxGzipBytes} B)`;
      if (total > maxGzipBytes) this.error(`${summary}: over budget`);
      this.info(summary);
    },
  };
}
