import { defineConfig } from 'vitest/config';

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
          testTimeout: 30_000,
          hookTimeout: 60_000,
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
        },
      },
    ],
  },
});
