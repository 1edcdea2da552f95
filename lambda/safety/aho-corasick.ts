/**
 * Aho–Corasick over UTF-16 code units: every occurrence of any of many literals in one pass,
 * O(text + patterns + occurrences). The checks use it where they would otherwise scan the text
 * once per literal (trigger words, markers, the values already found in a request).
 *
 * Layout for cache locality, because one automaton can hold tens of thousands of values (a
 * megabyte of distinct e-mail addresses): patterns are inserted in sorted order, so the states
 * of one pattern get consecutive numbers and a scan that follows a pattern reads memory in
 * order; each state's transitions are a sorted run of one flat edge array (CSR); the root,
 * where every failure ends, has a dense ASCII row. A hash map of transitions (the previous
 * layout) sent every character to a random cache line once the automaton outgrew the caches,
 * and time per character grew with the number of values.
 */
const ROOT_DENSE = 128;

export class AhoCorasick {
  readonly patterns: readonly string[];
  /** Transitions of state s: units and targets at [edgeStart[s], edgeStart[s + 1]), sorted by unit. */
  private readonly edgeStart: Int32Array;
  private readonly edgeUnit: Uint16Array;
  private readonly edgeTarget: Int32Array;
  /** The root's ASCII transitions, -1 where there is none. */
  private readonly rootRow: Int32Array;
  private readonly fail: Int32Array;
  /** Pattern ending at this state, or -1. */
  private readonly output: Int32Array;
  /** Nearest state on the failure chain that has an output, or -1. */
  private readonly dictLink: Int32Array;

  constructor(patterns: readonly string[]) {
    this.patterns = patterns;
    let total = 1;
    for (const p of patterns) total += p.length;
    const parent = new Int32Array(total);
    const unit = new Uint16Array(total);
    const output = new Int32Array(total).fill(-1);
    // Sorted insertion (stable, so of equal patterns the first index wins): a pattern shares its
    // longest common prefix with the previous one, whose path is kept in `path`.
    const order = patterns.map((_, id) => id).sort((a, b) => (patterns[a] < patterns[b] ? -1 : patterns[a] > patterns[b] ? 1 : 0));
    const path = new Int32Array(total);
    let previous = '';
    let states = 1;
    for (const id of order) {
      const p = patterns[id];
      if (p.length === 0) continue;
      let shared = 0;
      const most = Math.min(p.length, previous.length);
      while (shared < most && p.charCodeAt(shared) === previous.charCodeAt(shared)) shared++;
      let s = path[shared];
      for (let k = shared; k < p.length; k++) {
        const t = states++;
        parent[t] = s;
        unit[t] = p.charCodeAt(k);
        path[k + 1] = t;
        s = t;
      }
      if (output[s] < 0) output[s] = id;
      previous = p;
    }
    // Children are created in increasing unit order per parent, so grouping them by parent in
    // state order leaves every run sorted.
    this.edgeStart = new Int32Array(states + 1);
    for (let t = 1; t < states; t++) this.edgeStart[parent[t] + 1]++;
    for (let s = 0; s < states; s++) this.edgeStart[s + 1] += this.edgeStart[s];
    this.edgeUnit = new Uint16Array(Math.max(states - 1, 0));
    this.edgeTarget = new Int32Array(Math.max(states - 1, 0));
    const fill = this.edgeStart.slice(0, states);
    for (let t = 1; t < states; t++) {
      const e = fill[parent[t]]++;
      this.edgeUnit[e] = unit[t];
      this.edgeTarget[e] = t;
    }
    this.rootRow = new Int32Array(ROOT_DENSE).fill(-1);
    for (let e = this.edgeStart[0]; e < this.edgeStart[1]; e++) if (this.edgeUnit[e] < ROOT_DENSE) this.rootRow[this.edgeUnit[e]] = this.edgeTarget[e];
    this.output = output.subarray(0, states);
    this.fail = new Int32Array(states);
    this.dictLink = new Int32Array(states).fill(-1);
    // Breadth-first order: a state's failure link is computed after its parent's.
    const queue = new Int32Array(states);
    let head = 0;
    let tail = 0;
    queue[tail++] = 0;
    while (head < tail) {
      const s = queue[head++];
      for (let e = this.edgeStart[s]; e < this.edgeStart[s + 1]; e++) {
        const child = this.edgeTarget[e];
        queue[tail++] = child;
        if (s === 0) {
          this.fail[child] = 0;
        } else {
          const c = this.edgeUnit[e];
          let f = this.fail[s];
          let target = this.child(f, c);
          while (target < 0 && f !== 0) {
            f = this.fail[f];
            target = this.child(f, c);
          }
          this.fail[child] = target >= 0 && target !== child ? target : 0;
        }
        const f = this.fail[child];
        this.dictLink[child] = this.output[f] >= 0 ? f : this.dictLink[f];
      }
    }
  }

  private child(s: number, c: number): number {
    if (s === 0 && c < ROOT_DENSE) return this.rootRow[c];
    let lo = this.edgeStart[s];
    let hi = this.edgeStart[s + 1];
    // Most states have one or two transitions: a short linear scan; wide states are searched.
    if (hi - lo <= 8) {
      for (let e = lo; e < hi; e++) if (this.edgeUnit[e] === c) return this.edgeTarget[e];
      return -1;
    }
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const u = this.edgeUnit[mid];
      if (u === c) return this.edgeTarget[mid];
      if (u < c) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  /** Calls `visit(patternIndex, end)` for every occurrence, `end` exclusive, in order of `end`. */
  forEachMatch(text: string, visit: (pattern: number, end: number) => void, from = 0, to = text.length): void {
    let s = 0;
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      let next = this.child(s, c);
      while (next < 0 && s !== 0) {
        s = this.fail[s];
        next = this.child(s, c);
      }
      s = next < 0 ? 0 : next;
      if (this.output[s] >= 0) visit(this.output[s], i + 1);
      for (let d = this.dictLink[s]; d >= 0; d = this.dictLink[d]) visit(this.output[d], i + 1);
    }
  }
}
