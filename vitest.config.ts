import { defineConfig } from 'vitest/config';

// Most of a test's time is spent waiting on a store (PGlite's WASM, a PostgreSQL round trip) or on a
// socket, so unit files run three at a time even on two cores. The reliability project runs after
// them, one file at a time: its soak and crash tests measure a real process under load and must not
// share the machine with the rest of the suite.
const UNIT_WORKERS = Number(process.env.VITEST_WORKERS ?? 3);

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'backend',
          environment: 'node',
          include: ['backend/**/*.test.ts', 'fakes/**/*.test.ts', 'scripts/**/*.test.ts', 'contract/**/*.test.ts'],
          exclude: ['backend/test/reliability/**', '**/node_modules/**'],
          // Generous: three files share two cores, and a slow machine must not fail a correct test.
          testTimeout: 90_000,
          hookTimeout: 120_000,
          maxWorkers: UNIT_WORKERS,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          // Real backend processes, killed and restarted: slower, and bounded by their own deadlines.
          name: 'reliability',
          environment: 'node',
          include: ['backend/test/reliability/**/*.test.ts'],
          testTimeout: 420_000,
          hookTimeout: 60_000,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'widget',
          environment: 'happy-dom',
          // The loader's iframes point at our backend; the tests play that side themselves.
          environmentOptions: { happyDOM: { settings: { disableIframePageLoading: true } } },
          include: ['widget/**/*.test.{ts,tsx}'],
          setupFiles: ['widget/test/setup.ts'],
          maxWorkers: UNIT_WORKERS,
          sequence: { groupOrder: 0 },
        },
      },
    ],
  },
});
