/** The chat frame: a Preact app at dist/frame/, served under /frame/ from the chat server's origin. */
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { FRAME_BUDGET, sizeBudget } from './build/size-budget.ts';

export default defineConfig({
  root: fileURLToPath(new URL('frame', import.meta.url)),
  base: '/frame/',
  publicDir: false,
  plugins: [preact(), sizeBudget('frame', FRAME_BUDGET)],
  build: {
    outDir: fileURLToPath(new URL('../dist/frame', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
});
