import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', 'tmp/', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Lambda code is bundled on its own and must stay free of the CDK.
    files: ['lambda/**/*.ts', 'src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag'],
              message: 'Runtime code must not import the CDK.',
            },
          ],
        },
      ],
    },
  },
  {
    // Handlers read their environment through their contract (lambda/<function>/environment.ts), which
    // the construct renders from the same declaration.
    files: ['lambda/**/*.ts'],
    ignores: ['lambda/shared/environment-contract.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            "Read environment variables through the function's contract (lambda/<function>/environment.ts).",
        },
      ],
    },
  },
  {
    // Infrastructure code never loads runtime code that pulls in an AWS SDK client; it shares constants
    // through modules without runtime imports (a function's environment.ts). The import-graph test
    // (test/architecture/boundaries.test.ts) checks the same for indirect imports.
    // bin/preflight.ts is an operator CLI that calls AWS, not part of the CDK app.
    files: ['bin/app.ts', 'bin/compliance-report.ts', 'lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', '@aws-lambda-powertools/*'],
              message: 'Infrastructure code must not load AWS SDK clients or Powertools.',
            },
            {
              group: ['**/lambda/*/handler', '**/lambda/*/core', '**/lambda/shared/observability'],
              message:
                "Infrastructure code must not load handler code; move the shared constant to a module without runtime imports (e.g. the function's environment.ts).",
            },
          ],
        },
      ],
    },
  },
);
