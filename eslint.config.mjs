// @ts-check
/**
 * npm run lint: ESLint (typescript-eslint's type-checked recommendations) + Prettier's format
 * check, over the platform's own code. Learner-like apps (graders/reference, graders/alternatives,
 * test/fixtures/apps) are not ours to style: they are graded as a learner's repository would be.
 */
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The web server and the grading worker meet only in core/ (core/ports.ts). */
const boundary = (message, ...group) => ({ 'no-restricted-imports': ['error', { patterns: [{ group, message }] }] });

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.data/',
      'dist/',
      'coverage/',
      'test-artifacts/',
      'graders/reference/',
      'graders/alternatives/',
      'test/fixtures/apps/',
      'test/fixtures/lockfiles/',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // An async function that does not await still returns a promise its interface asks for.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests read JSON bodies (supertest, fetch) whose type is `any` by design.
    files: ['test/**/*.ts', 'graders/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Grader fixtures are copied into the tester container and compiled there, not by tsconfig.json.
    files: ['test/fixtures/**/*.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { projectService: false } },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-unused-vars': ['error', { caughtErrors: 'none' }] },
  },
  {
    files: ['server/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
  { files: ['worker/**/*.ts'], rules: boundary('worker/ does not import server/: share it through core/ (core/ports.ts).', '**/server/**') },
  { files: ['server/**/*.ts'], rules: boundary('server/ does not import worker/: the worker is handed to startPlatform (core/ports.ts).', '**/worker/**') },
  { files: ['core/**/*.ts'], rules: boundary('core/ imports neither server/ nor worker/.', '**/server/**', '**/worker/**') },
  prettier,
);
