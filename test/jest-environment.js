/**
 * The node test environment, plus a prompt exit for the worker process. Jest ends a worker by
 * sending it "end", dropping its message listener and waiting 500 ms for the process to leave by
 * itself; tearing down a worker that holds aws-cdk-lib, the template validator's WebAssembly engine
 * and a few hundred MB of heap can take longer on a loaded machine, and jest then kills it with
 * "A worker process has failed to exit gracefully". Every test file has finished by then (servers
 * and timers closed, as --detectOpenHandles shows), so the worker exits at once instead.
 */
const { TestEnvironment } = require('jest-environment-node');

const CHILD_MESSAGE_END = 2; // jest-worker's message type for "end"
if (typeof process.send === 'function' && !process.listeners('message').some((l) => l.name === 'exitOnEnd')) {
  process.on('message', function exitOnEnd(message) {
    if (Array.isArray(message) && message[0] === CHILD_MESSAGE_END) setImmediate(() => process.exit(0));
  });
}

module.exports = TestEnvironment;
