import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the long fault scenarios, one file at a time (each starts its own server process
// and up to 210 sockets), on 127.0.0.1 only. Not part of `npm test`. Knobs: FAULTS_DURATION_MS (traffic in
// the random-cuts scenario, default 60000), FAULTS_KILL_PHASE_MS (traffic before each SIGKILL, default 8000).
// Each scenario prints a "[faults] ..." line, also appended to test-results/faults.log.
// Node 20 needs --experimental-wasm-modules for Prisma's WASM schema engine (the test seeds the database).
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
