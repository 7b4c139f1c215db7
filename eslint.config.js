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
    // Production code never imports a fake: the fakes start only in the demo entry (backend/demo/) and
    // in tests (docs/decisions/024). A separate rule name from no-restricted-imports, so a rule on the
    // same files under that name does not replace this one.
    files: ['backend/src/**/*.ts'],
    ignores: ['backend/src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)fakes(/|$)',
              message: 'Production code under backend/src must not import the fakes; the demo entry (backend/demo/main.ts) starts them.',
            },
          ],
        },
      ],
    },
  },
  {
    // Routes and pages are the HTTP edge: they parse, call a service and answer. SQL lives in the
    // feature's store (docs/decisions/001-store.md), so the edge never holds the store itself.
    files: ['backend/src/**/*-routes.ts', 'backend/src/**/*-pages.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/store/db', '**/store/pglite-db', '**/store/postgres-db', '**/store/open-store'],
              message: 'Routes and pages do not touch the store: call the feature service, whose store owns the SQL.',
            },
          ],
        },
      ],
    },
  },
  {
    // SQL lives in the feature's store (docs/decisions/032): under backend/src only a `*-store.ts`
    // file, the store layer itself (store/) and the audit log (a one-function store) run statements.
    files: ['backend/src/**/*.ts'],
    ignores: ['backend/src/**/*.test.ts', 'backend/src/**/*-store.ts', 'backend/src/store/**', 'backend/src/audit/audit-log.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='query']",
          message: 'Only a store runs SQL: add a named function to the feature’s *-store.ts and call it (docs/decisions/032).',
        },
      ],
    },
  },
  {
    // The Kommo loader and the demo's Kommo stub are plain browser scripts, shipped as written.
    files: ['widget/loader/**/*.js', 'backend/demo/static/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, define: 'readonly', requirejs: 'readonly' } },
    rules: { 'no-console': 'error' },
  },
  {
    // Components render models and call their actions: every HTTP call of the widget goes through a model (STYLE.md §2).
    files: ['widget/app/components/**/*.tsx'],
    ignores: ['**/*.test.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/api/api-client'], message: 'Call HTTP from a model (widget/app/models/), not from a component.' }] },
      ],
    },
  },
  {
    files: ['*.cjs', 'widget/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
