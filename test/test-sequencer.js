/**
 * Jest's order, with one change for a fresh clone: the test files that read the shared reference
 * assembly (test/helpers/reference-assembly.ts) wait for the first of them to synthesize it, and
 * on two workers two of them starting together left one worker idle for ~25 s. So the first
 * reader runs first, every file that does not read it next, and the other readers last, when the
 * assembly is on disk. Jest's own order (failed first, then slowest first by the timings of the
 * last run, else largest first) holds within each group.
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
    return [readers[0], ...others, ...readers.slice(1)];
  }
}

module.exports = ReferenceFirstSequencer;
