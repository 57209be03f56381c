// ESLint flat config. Deliberately small: the rules that catch real Temporal and async bugs, as
// errors, rather than a style catalogue. Type-aware rules use the TypeScript project service.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, and none of the SDK
// packages that only work outside it. Type-only imports are erased and so allowed.
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));
const workflowImportBan = {
  paths: [
    ...nodeBuiltins.map((name) => ({ name, message: 'Workflow code runs in the Temporal sandbox: no Node built-ins.', allowTypeImports: true })),
    ...['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'].map((name) => ({
      name,
      message: 'Workflows may import only @temporalio/workflow and @temporalio/common (use activities for side effects).',
      allowTypeImports: true,
    })),
  ],
  patterns: [{ group: ['node:*'], message: 'Workflow code runs in the Temporal sandbox: no Node built-ins.', allowTypeImports: true }],
};

export default tseslint.config(
  {
    // console/ is its own TypeScript project (console/tsconfig.json, checked by its build).
    ignores: ['node_modules/', 'generated/', '.data/', '.tools/', 'dist/', 'coverage/', 'console/', 'test-results/', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // An un-awaited promise in a workflow or handler is a lost error or a race.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      'no-debugger': 'error',
      'no-var': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', workflowImportBan],
    },
  },
);
