import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * What workflow code may import (workflows/**): @temporalio/workflow, @temporalio/common (its
 * search-attribute keys are workflow-safe), other workflow files and workflows/shared/ (relative
 * `./`), and types only from activities/. Everything else (knex, pg, fastify, node:*, src/**, the
 * Temporal client, worker or activity packages) would load I/O or Node built-ins into Temporal's
 * deterministic sandbox, or break replay. test/lint/workflow-imports.test.ts checks this rule.
 */
const WORKFLOW_IMPORTS_MESSAGE =
  'workflow code may import only @temporalio/workflow, @temporalio/common, ./ (workflows/ and workflows/shared/) and types from activities/';
const workflowImportRule = [
  'error',
  {
    patterns: [
      {
        regex: '^(?!@temporalio/(?:workflow|common)$)(?!\\./)(?!(?:\\.\\./)+activities(?:/|$))',
        message: WORKFLOW_IMPORTS_MESSAGE,
      },
      {
        regex: '^(?:\\.\\./)+activities(?:/|$)',
        allowTypeImports: true,
        message:
          'workflow code may import only types from activities/ (`import type`); activities run outside the sandbox',
      },
    ],
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'scratch/**', '.data/**', '*.config.js', '*.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      'no-console': 'error',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O.
    files: ['workflows/**/*.ts'],
    rules: { 'no-restricted-imports': workflowImportRule },
  },
  {
    files: [
      'test/**/*.ts',
      'scripts/**/*.ts',
      'tools/dev/**/*.ts',
      'src/cli/**/*.ts',
      'tools/bench/**/*.ts',
      'tools/reliability/**/*.ts',
    ],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Response bodies in tests are asserted field by field; typing each one adds nothing.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
