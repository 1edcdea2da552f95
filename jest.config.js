/** Type-checking happens once in `npm run lint` (tsc --noEmit); ts-jest only transpiles, which keeps the suite fast on 2 cores. */
module.exports = {
  testEnvironment: '<rootDir>/test/jest-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The shared reference assembly's first reader first, the others last (see the file).
  testSequencer: '<rootDir>/test/test-sequencer.js',
  // Builds the prebuilt Lambda handlers when their sources changed (bin/build-handlers.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  // The built-in template validator only where it is the subject (see the file).
  setupFiles: ['<rootDir>/test/template-validation-setup.ts'],
  // test/jest-transform.js: ts-jest, with the built-ins bound per module (see there); also for the
  // JavaScript dependencies that run hot inside tests: fast-check's generators and re2-wasm's glue.
  transform: { '^.+\\.ts$': ['<rootDir>/test/jest-transform.js', { diagnostics: false }], '/node_modules/(fast-check|re2-wasm)/.+\\.js$': ['<rootDir>/test/jest-transform.js', {}] },
  transformIgnorePatterns: ['/node_modules/(?!(fast-check|re2-wasm)/)'],
  // Two cores: one worker per core; most suites are CPU-bound synths.
  maxWorkers: 2,
  // After the last file, jest ends each worker and force-kills it ("A worker process has failed to
  // exit gracefully") if it has not exited within this time (default 500 ms). A worker's event loop
  // is empty by then, but it holds 0.7–1.5 GB (aws-cdk-lib per test file's module registry, the
  // validator's WebAssembly engine) and exiting frees it: node's teardown of the heap, then the
  // kernel unmapping the address space after exit_group (~0.3 ms per MB of RSS, more under load).
  // Measured end-to-exit in the full suite beside 3 CPU hogs on 2 shared cores: 1.1 s and 2.1 s.
  // The deadline covers that about 5 times; a handle left open still keeps a worker alive past it,
  // so the warning still means a leak.
  workerGracefulExitTimeout: 10000,
  testTimeout: 120000,
};
