/**
 * Aho–Corasick over UTF-16 code units: every occurrence of any of many literals in one pass,
 * O(text + patterns + occurrences). The checks use it where they would otherwise scan the text
 * once per literal (trigger words, markers, the values already found in a request).
 *
 * States live in flat typed arrays; ASCII transitions of the first MAX_DENSE_STATES states are a
 * dense table (one lookup per unit), the rest a map keyed by state and unit.
 */
const ALPHABET = 128;
const MAX_DENSE_STATES = 4096;

export class AhoCorasick {
  readonly patterns: readonly string[];
  private readonly dense: Int32Array;
  private readonly sparse = new Map<number, number>();
  private readonly fail: Int32Array;
  /** Pattern ending at this state, or -1. */
  private readonly output: Int32Array;
  /** Nearest state on the failure chain that has an output, or -1. */
  private readonly dictLink: Int32Array;
  private readonly denseStates: number;

  constructor(patterns: readonly string[]) {
    this.patterns = patterns;
    let total = 1;
    for (const p of patterns) total += p.length;
    const parent = new Int32Array(total);
    const unit = new Int32Array(total);
    this.output = new Int32Array(total).fill(-1);
    this.denseStates = Math.min(total, MAX_DENSE_STATES);
    this.dense = new Int32Array(this.denseStates * ALPHABET).fill(-1);
    let states = 1;
    patterns.forEach((p, id) => {
      if (p.length === 0) return;
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        let next = this.child(s, c);
        if (next < 0) {
          next = states++;
          parent[next] = s;
          unit[next] = c;
          this.setChild(s, c, next);
        }
        s = next;
      }
      if (this.output[s] < 0) this.output[s] = id;
    });
    this.fail = new Int32Array(states);
    this.dictLink = new Int32Array(states).fill(-1);
    // Breadth-first order: a state's failure link is computed after its parent's.
    const order = new Int32Array(states);
    const firstChild = new Int32Array(states).fill(-1);
    const nextSibling = new Int32Array(states).fill(-1);
    for (let s = states - 1; s >= 1; s--) {
      nextSibling[s] = firstChild[parent[s]];
      firstChild[parent[s]] = s;
    }
    let head = 0;
    let tail = 0;
    order[tail++] = 0;
    while (head < tail) {
      const s = order[head++];
      for (let child = firstChild[s]; child >= 0; child = nextSibling[child]) {
        order[tail++] = child;
        if (s === 0) {
          this.fail[child] = 0;
        } else {
          let f = this.fail[s];
          let target = this.child(f, unit[child]);
          while (target < 0 && f !== 0) {
            f = this.fail[f];
            target = this.child(f, unit[child]);
          }
          this.fail[child] = target >= 0 && target !== child ? target : 0;
        }
        const f = this.fail[child];
        this.dictLink[child] = this.output[f] >= 0 ? f : this.dictLink[f];
      }
    }
  }

  private child(s: number, c: number): number {
    if (c < ALPHABET && s < this.denseStates) return this.dense[s * ALPHABET + c];
    return this.sparse.get(s * 0x10000 + c) ?? -1;
  }

  private setChild(s: number, c: number, next: number): void {
    if (c < ALPHABET && s < this.denseStates) this.dense[s * ALPHABET + c] = next;
    else this.sparse.set(s * 0x10000 + c, next);
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
