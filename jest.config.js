/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // swc strips types without type-checking: `npm run typecheck` does that once for the whole tree,
  // which keeps a CDK template test around a second instead of ~17 s under ts-jest.
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Several tests build the sample baseline or synthesize stacks in about a second alone; on a loaded 2-core
  // machine that has passed jest's 5 s default. A hang still fails, at 30 s.
  testTimeout: 30_000,
};
