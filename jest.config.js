/** Type-checking happens once in `npm run lint` (tsc --noEmit); ts-jest only transpiles, which keeps the suite fast on 2 cores. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Builds the prebuilt Lambda handlers when their sources changed (bin/build-handlers.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  // The built-in template validator only where it is the subject (see the file).
  setupFiles: ['<rootDir>/test/template-validation-setup.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Two cores: one worker per core; most suites are CPU-bound synths.
  maxWorkers: 2,
  // After the last file, jest ends each worker and force-kills it ("A worker process has failed to
  // exit gracefully") if it has not exited within this time (default 500 ms). A worker here holds
  // 0.5–1.5 GB (aws-cdk-lib per test file's module registry, the validator's WebAssembly engine),
  // and exiting frees it: node's teardown, then the kernel unmapping the address space after
  // exit_group, ~0.3 ms per MB of RSS. Measured beside one busy core: 0.6 s from jest's end to
  // the exit of a worker with an empty event loop, 0.4–0.7 s for a bare process holding 0.6–1.6 GB.
  // The deadline covers that with margin; a handle left open still keeps a worker alive past it,
  // so the warning still means a leak.
  workerGracefulExitTimeout: 5000,
  testTimeout: 120000,
};
