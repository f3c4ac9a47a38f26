// ESLint: typescript-eslint's recommended rules plus a few that catch real bugs. Layout is
// Prettier's job (.prettierrc.json): eslint-config-prettier, near the end, turns off every rule
// that would fight it. `npm run lint` runs both checks; `npm run format` rewrites the files.
import { defineConfig, globalIgnores } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', '.data/', 'bench/results/', 'examples/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      // Type information for the promise rules: tsconfig.test.json covers src, test, bench, scripts, migrations.
      // It roughly doubles the lint's time, which these rules repay in a code base that is mostly async.
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its rejection (unhandled, it ends the process) and its ordering;
      // `void promise` marks a deliberate fire-and-forget.
      '@typescript-eslint/no-floating-promises': 'error',
      // A promise tested as a boolean is always true; an async callback where a void one is expected
      // (an event handler, forEach) drops its rejection.
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    rules: {
      // `==` converts types behind the reader's back; `== null` (null or undefined) is the one idiom kept.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // A leading _ marks a binding that is unused on purpose (a callback's signature, a rest pick).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // The shipped code names its types; where it cannot, an eslint-disable-next-line comment says why.
    // Tests, benches and scripts keep `any` for deliberately wrong inputs and ad-hoc result shapes.
    files: ['test/**', 'bench/**', 'scripts/**', 'migrations/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
  {
    // After eslint-config-prettier, which turns max-len off. Prettier keeps code within 120 columns but
    // never breaks a comment or a string; this catches the comments (the options are those
    // eslint-config-prettier's documentation gives for max-len beside Prettier).
    rules: {
      'max-len': [
        'error',
        { code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
    },
  },
);
