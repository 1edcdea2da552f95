// Type-aware linting is left to `tsc --noEmit`; eslint guards style and, above all, regex safety:
// eslint-plugin-regexp rejects patterns with super-linear backtracking (ReDoS) in any file.
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';

export default tseslint.config(
  { ignores: ['dist/**', 'cdk.out/**', 'node_modules/**', 'coverage/**', 'reports/**', '**/*.js', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  regexp.configs['flat/recommended'],
  {
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
      // Patterns also become JSON Schema `pattern`s, which have no flags: spell both cases out.
      'regexp/use-ignore-case': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
