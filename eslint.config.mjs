// Lint: typescript-eslint's recommended rules plus the layering rules that say where code runs
// (docs/ARCHITECTURE.md, "Layers"). The type checker enforces the same split through the tsconfig
// projects; lint adds the messages that point at the right place.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const noElectron = {
  name: 'electron',
  message:
    'Only src-main/app/ (and the preload) import electron; engine, gpu, store, services and cli run in plain Node.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'release/',
      '.tsbuild/',
      'test-results/',
      'playwright-report/',
      'e2e/artifacts/',
      '.gl/',
      '.gpu/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'bin/**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/app/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron] }],
    },
  },
  {
    files: ['src-main/app/**/*.ts'],
    ignores: ['src-main/app/ipc-main.ts', 'src-main/app/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message:
                'Bind channels through src-main/app/ipc-main.ts (sender check + schema) or the preload, never ipcMain/ipcRenderer directly.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/ipc/**/*.ts', 'src-main/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'child_process'],
              message: 'ipc/ and shared/ are environment-neutral: the renderer imports them.',
            },
            {
              group: [
                '../engine/*',
                '../services/*',
                '../gpu/*',
                '../store/*',
                '../host/*',
                '../app/*',
                '../cli/*',
              ],
              message: 'ipc/ and shared/ import nothing else from src-main.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            {
              regex: 'src-main/(?!ipc/|shared/)',
              message:
                'The renderer imports only src-main/ipc/contract and src-main/shared/ from the main side.',
            },
            {
              group: ['node:*'],
              message: 'The renderer runs in a sandboxed page: no Node modules.',
            },
          ],
        },
      ],
    },
  },
);
