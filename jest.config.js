/** Type-checking happens once in `npm run lint` (tsc --noEmit); ts-jest only transpiles, which keeps the suite fast on 2 cores. */
module.exports = {
  testEnvironment: '<rootDir>/test/jest-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Builds the prebuilt Lambda handlers when their sources changed (bin/build-handlers.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  // The built-in template validator only where it is the subject (see the file).
  setupFiles: ['<rootDir>/test/template-validation-setup.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Two cores: one worker per core; most suites are CPU-bound synths.
  maxWorkers: 2,
  testTimeout: 120000,
};
