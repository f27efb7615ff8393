/**
 * The console's service worker: one classic script at dist/console/sw.js (a fixed name: its URL is what browsers
 * register and check for updates; classic, not a module, so every browser with Web Push can run it). Built after
 * the console, into the same folder.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: false,
    target: 'es2022',
    lib: {
      entry: fileURLToPath(new URL('sw.ts', import.meta.url)),
      formats: ['iife'],
      name: 'ParleyServiceWorker',
      fileName: () => 'sw.js',
    },
  },
});
