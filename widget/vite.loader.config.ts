/** widget.js, the loader: one dependency-free IIFE at dist/widget/widget.js. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { LOADER_BUDGET, sizeBudget } from './build/size-budget.ts';

export default defineConfig({
  publicDir: false,
  plugins: [sizeBudget('widget.js', LOADER_BUDGET)],
  build: {
    outDir: fileURLToPath(new URL('../dist/widget', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    lib: {
      entry: fileURLToPath(new URL('loader/main.ts', import.meta.url)),
      formats: ['iife'],
      name: 'ParleyLoader',
      fileName: () => 'widget.js',
    },
  },
});
