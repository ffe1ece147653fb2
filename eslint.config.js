// Lint rules on top of `tsc --strict`: the recommended sets of ESLint and typescript-eslint.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['**/dist/**', '.build/**', 'node_modules/**', '.venv/**', '.tools/**', 'coverage/**'] },
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
  }
)
