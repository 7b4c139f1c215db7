import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    extends: [tseslint.configs.recommended],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Routes and pages are the HTTP edge: they parse, call a service and answer. SQL lives in the
    // feature's store (docs/decisions/001-store.md), so the edge never holds the store itself.
    files: ['backend/src/**/*-routes.ts', 'backend/src/**/*-pages.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/store/db', '**/store/pglite-db', '**/store/postgres-db', '**/store/open-store'], message: 'Routes and pages do not touch the store: call the feature service, whose store owns the SQL.' }] },
      ],
    },
  },
  {
    // The Kommo loader and the demo's Kommo stub are plain browser scripts, shipped as written.
    files: ['widget/loader/**/*.js', 'backend/src/demo/static/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, define: 'readonly', requirejs: 'readonly' } },
    rules: { 'no-console': 'error' },
  },
  {
    files: ['*.cjs', 'widget/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
