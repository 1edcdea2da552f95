/**
 * Jest's order, with one change for a fresh clone: the test files that read the shared reference
 * assembly (test/helpers/reference-assembly.ts) wait for the first of them to synthesize it, and
 * on two workers two of them starting together left one worker idle for ~25 s. So the first
 * reader runs first and the other readers after half of the files that do not read it, when the
 * assembly is on disk (not last: a long reader at the end left the other worker idle instead).
 * Jest's own order (failed first, then slowest first by the last run's timings, else largest
 * first) holds within each group.
 */
const { readFileSync } = require('node:fs');
const Sequencer = require('@jest/test-sequencer').default;

const READS_REFERENCE = /helpers\/reference-assembly['"]/;

class ReferenceFirstSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const readers = ordered.filter((t) => READS_REFERENCE.test(readFileSync(t.path, 'utf8')));
    if (readers.length < 2) return ordered;
    const others = ordered.filter((t) => !readers.includes(t));
    const half = Math.ceil(others.length / 2);
    return [readers[0], ...others.slice(0, half), ...readers.slice(1), ...others.slice(half)];
  }
}

module.exports = ReferenceFirstSequencer;
