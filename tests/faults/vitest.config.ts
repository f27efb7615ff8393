import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the long fault scenarios, one file at a time (each starts its own server process
// and hundreds of sockets). Not part of `npm test`. Node 20 needs --experimental-wasm-modules for Prisma's
// WASM schema engine (migrations run in the test process to seed the database).
export default defineConfig({
  test: {
    name: 'faults',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['tests/faults/**/*.test.ts'],
    environment: 'node',
    execArgv: ['--experimental-wasm-modules'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
