import { defineConfig } from 'vitest/config';

// Node 20 needs --experimental-wasm-modules for Prisma's WASM schema engine (offline migrations).
const execArgv = ['--experimental-wasm-modules'];

export default defineConfig({
  test: {
    // Two files at a time whatever the cores: most files wait on servers, browsers and timers, not on the CPU, and
    // the default (one fewer than the cores) runs them one by one on a 2-core machine.
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', execArgv } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          execArgv,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          execArgv,
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
