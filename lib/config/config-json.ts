import { parseTree, printParseErrorCode, visit, type Node } from 'jsonc-parser';

/** A place in the config file, 1-based as editors show it. */
export interface ConfigLocation {
  readonly line: number;
  readonly column: number;
}

/** One problem: `path: what is wrong and the fix`, and where in the file, when known. */
export interface ConfigProblem {
  readonly text: string;
  readonly at?: ConfigLocation;
}

/** The config text, read strictly, with what JSON.parse would not say. */
export interface ConfigJson {
  /** The parsed value; undefined when the text is not JSON. */
  readonly value: unknown;
  /** Syntax errors, each at its line and column; when there are any, nothing else is checked. */
  readonly syntaxErrors: ConfigProblem[];
  /** Keys given twice in one object (JSON.parse silently keeps the last). */
  readonly duplicateKeys: ConfigProblem[];
  /** Where the value at a dotted config path (`stages.prod.models.chat.instanceType`) is written. */
  locate(configPath: string): ConfigLocation | undefined;
}

/**
 * Microsoft's jsonc-parser (the one VS Code uses for JSON files) reports syntax errors and keys
 * with their offsets, which JSON.parse cannot: line and column for every problem, and duplicate
 * keys. Comments and trailing commas are refused, so the file stays plain JSON.
 */
export function parseConfigJson(text: string): ConfigJson {
  const lines = lineStarts(text);
  const at = (offset: number): ConfigLocation => locationOf(lines, offset);
  const syntaxErrors: ConfigProblem[] = [];
  const duplicateKeys: ConfigProblem[] = [];
  const objects: Map<string, ConfigLocation>[] = [];
  const reported = new Set<number>();
  visit(text, {
    onObjectBegin: () => {
      objects.push(new Map());
    },
    onObjectEnd: () => {
      objects.pop();
    },
    onObjectProperty: (key, offset, _length, _line, _character, pathSupplier) => {
      const seen = objects[objects.length - 1];
      const first = seen?.get(key);
      const here = at(offset);
      if (first) {
        duplicateKeys.push({
          text: `${formatPath([...pathSupplier(), key])}: the key ${JSON.stringify(key)} appears twice in one object (first at line ${first.line}, ` +
            `column ${first.column}); JSON keeps only the last value: remove one of them`,
          at: here,
        });
      } else {
        seen?.set(key, here);
      }
    },
    onError: (code, offset) => {
      // One error per place: the parser's recovery may report a second one at the same offset.
      if (reported.has(offset)) return;
      reported.add(offset);
      const name = printParseErrorCode(code);
      const trailingComma = (name === 'PropertyNameExpected' || name === 'ValueExpected') && text.slice(0, offset).trimEnd().endsWith(',');
      syntaxErrors.push({ text: `not valid JSON: ${trailingComma ? 'a trailing comma is not allowed in JSON' : SYNTAX_ERRORS[name] ?? name}`, at: at(offset) });
    },
  }, { disallowComments: true, allowTrailingComma: false });

  let tree: Node | undefined;
  return {
    value: syntaxErrors.length === 0 ? JSON.parse(text) : undefined,
    syntaxErrors,
    duplicateKeys,
    locate: (configPath) => {
      tree ??= parseTree(text);
      const node = tree && deepestNode(tree, configPath);
      return node && at(node.parent?.type === 'property' ? node.parent.offset : node.offset);
    },
  };
}

/** `file:line:column: problem`, the form editors and CI logs make clickable; `file: problem` without a place. */
export function formatConfigProblem(source: string, problem: ConfigProblem): string {
  return problem.at ? `${source}:${problem.at.line}:${problem.at.column}: ${problem.text}` : `${source}: ${problem.text}`;
}

const SYNTAX_ERRORS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'expected a key in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":" after the key',
  CommaExpected: 'expected "," between entries',
  CloseBraceExpected: 'expected "}" to close the object',
  CloseBracketExpected: 'expected "]" to close the array',
  EndOfFileExpected: 'expected the end of the file after the top-level object',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'malformed number',
  InvalidUnicode: 'malformed \\u escape',
  InvalidEscapeCharacter: 'invalid escape in a string',
  InvalidCharacter: 'a control character inside a string (write it as an escape such as \\n)',
};

/** `models.chat.versions.2.3.0`: keys joined with dots, as the config's other problems name paths. */
function formatPath(path: readonly (string | number)[]): string {
  return path.map(String).join('.');
}

/**
 * The node a dotted path names, or the deepest one on its way (the object a missing key belongs
 * in). Keys may hold dots themselves (`2.3.0`, `ml.g5.xlarge`), so each step takes the longest
 * key that the rest of the path starts with.
 */
function deepestNode(root: Node, configPath: string): Node {
  let node = root;
  let rest = configPath;
  while (rest.length > 0) {
    let next: { node: Node; consumed: number } | undefined;
    if (node.type === 'object') {
      for (const property of node.children ?? []) {
        const key = String(property.children?.[0]?.value);
        const value = property.children?.[1];
        const follows = rest.length === key.length || rest[key.length] === '.' || rest[key.length] === '[';
        if (value && rest.startsWith(key) && follows && (!next || key.length > next.consumed)) next = { node: value, consumed: key.length };
      }
    } else if (node.type === 'array') {
      const index = /^\[?(\d+)\]?/.exec(rest);
      const child = index && node.children?.[Number(index[1])];
      if (index && child) next = { node: child, consumed: index[0].length };
    }
    if (!next) break;
    node = next.node;
    rest = rest.slice(next.consumed).replace(/^\./, '');
  }
  return node;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function locationOf(starts: number[], offset: number): ConfigLocation {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - starts[low] + 1 };
}
