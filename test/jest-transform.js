/**
 * ts-jest, plus one line per module that binds the JavaScript built-ins (Math, Object, typed
 * arrays, …) as module-scope constants. Why: jest runs every test file in a `vm` context, and on
 * Node 20 each lookup of a global name in such a context goes through the context's property
 * interceptor (~0.3 µs, measured: `Math.imul` in a loop is 25× slower than in the main context).
 * A checked 16 KB prompt took 7–9× as long under jest as under plain Node, and a seeded rollout
 * simulation 8×. With the names bound once per module, lookups are ordinary closure reads.
 *
 * The bound values are the test context's own built-ins: `instanceof`, `jest.spyOn(Math, 'random')`
 * (it replaces a property of the same object) and prototype checks see the same objects. What a
 * module no longer sees is a global replaced after it loaded (no test here does that). Names that
 * jest's fake timers replace (Date, timers, performance, queueMicrotask) stay globals, and a name
 * a module declares itself is skipped.
 */
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const vm = require('node:vm');
const { TsJestTransformer } = require('ts-jest');

const BUILT_INS = [
  'Math', 'JSON', 'Object', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt', 'RegExp', 'Map', 'Set', 'WeakMap', 'WeakSet',
  'Promise', 'Reflect', 'Error', 'TypeError', 'RangeError', 'SyntaxError', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Atomics',
  'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array', 'BigInt64Array',
  'BigUint64Array', 'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'encodeURIComponent', 'decodeURIComponent', 'TextEncoder', 'TextDecoder',
  'Buffer',
];
/** Cached transforms are keyed by this file's content too, so changing it invalidates them. */
const OWN_HASH = createHash('sha256').update(readFileSync(__filename)).digest('hex').slice(0, 16);

const NAMES = BUILT_INS.join('|');
/** Declarations of a built-in's name, or assignments to it (a polyfill): that module keeps the global. */
const OWN_USE = new RegExp(`\\b(?:const|let|var|class|function\\*?)\\s+(${NAMES})\\b|[{,]\\s*(${NAMES})\\s*[,}=]|(?<![.\\w$])(${NAMES})\\s*=(?!=)`, 'g');
/** What must stay first: a shebang line, comments, and the "use strict" directive. */
const HEAD = /^(?:#![^\n]*\n)?(?:\s+|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(?:(["'])use strict\1;?)?/;

/** `var` (not const): it cannot clash with a hoisted function, and a module that declares a name keeps it. */
function bindBuiltIns(code) {
  const own = new Set();
  for (const m of code.matchAll(OWN_USE)) own.add(m[1] ?? m[2] ?? m[3]);
  const line = `var ${BUILT_INS.filter((n) => !own.has(n)).map((n) => `${n} = globalThis.${n}`).join(', ')};`;
  // On the line where the head ends, so every line keeps its number for stack traces and source maps.
  const head = HEAD.exec(code)[0];
  // `;` ends a directive written without one.
  const bound = `${head}; ${line} ${code.slice(head.length)}`;
  // A declaration the scan above cannot see (`const [Map] = …`) would now clash: keep that module as it was.
  return compiles(bound.replace(/^#!/, '//')) ? bound : code;
}

function compiles(code) {
  try {
    new vm.Script(`(function () {\n${code}\n})`);
    return true;
  } catch {
    return false;
  }
}

/** TypeScript through ts-jest, then bound; the few JavaScript dependencies jest.config.js sends here, only bound. */
class BindBuiltInsTransformer extends TsJestTransformer {
  process(source, path, options) {
    if (!path.endsWith('.ts')) return { code: bindBuiltIns(source) };
    const out = super.process(source, path, options);
    return typeof out === 'string' ? bindBuiltIns(out) : { ...out, code: bindBuiltIns(out.code) };
  }

  getCacheKey(source, path, options) {
    if (!path.endsWith('.ts')) return createHash('sha256').update(source).update(path).update(OWN_HASH).digest('hex');
    return `${super.getCacheKey(source, path, options)}:${OWN_HASH}`;
  }
}

module.exports = {
  createTransformer: (options) => new BindBuiltInsTransformer(options),
};
