// Lint rules on top of `tsc --strict`: the recommended sets of ESLint and typescript-eslint,
// plus the rule that keeps each action's first load light. Run with --max-warnings=0.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// What an action's index.ts and inputs.ts may import: they run before the inputs are parsed,
// so a bad input fails in milliseconds with one line. Everything heavy (the toolkit, the AWS
// SDK, git, exec, TOML, file edits) loads later, from main.ts, through loadMain's dynamic import.
// Type-only imports cost nothing at run time and stay allowed.
const LIGHT_MODULES = [
  './inputs.ts',
  '@release/shared/run-action',
  '@release/shared/errors',
  '@release/shared/inputs',
  '@release/shared/secrets',
  '@release/shared/pep440',
  '@release/shared/aws/inputs',
  '@release/shared/aws/names',
  '@release/shared/aws/handoff',
  '@release/shared/container/build-argv',
  '@release/shared/container/image-ref',
  '@release/shared/transport',
  '@release/shared/git-refs',
  '@release/shared/tag-template',
  '@release/shared/released-version'
]
// And what those light modules may not pull in behind the rule's back.
const HEAVY_PACKAGES = ['@actions/*', '@aws-sdk/*', '@smithy/*', 'smol-toml', 'node:child_process', 'child_process']

export default tseslint.config(
  { ignores: ['**/dist/**', '.build/**', '.act-local/**', 'node_modules/**', '.venv/**', '.tools/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        AbortSignal: 'readonly',
        performance: 'readonly'
      }
    },
    rules: {
      // Unused names are already errors in tsc (noUnusedLocals/Parameters).
      '@typescript-eslint/no-unused-vars': 'off'
    }
  },
  {
    files: ['actions/*/src/index.ts', 'actions/*/src/inputs.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Anything but the light modules.
              regex: `^(?!(${LIGHT_MODULES.map((module) => module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$)`,
              allowTypeImports: true,
              message:
                'index.ts and inputs.ts load before the inputs are read: import only light modules (see LIGHT_MODULES in eslint.config.js) and load the rest from main.ts.'
            }
          ]
        }
      ]
    }
  },
  {
    files: LIGHT_MODULES.filter((module) => module.startsWith('@release/shared/')).map(
      (module) => `packages/shared/src/${module.slice('@release/shared/'.length)}.ts`
    ),
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: HEAVY_PACKAGES,
              allowTypeImports: true,
              message:
                'This module is loaded before the inputs are read (LIGHT_MODULES in eslint.config.js): keep heavy packages out of it.'
            }
          ]
        }
      ]
    }
  }
)
