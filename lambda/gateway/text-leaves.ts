import { setOwn } from './strict-json';
import { alignBytes, tokenSequences, tokensOf, writeSequence, type TokenSpec, type TokenSequence } from './token-sequences';

/**
 * Who wrote a text. Every checked text carries its origin, so checks can treat instructions
 * (system, user) and data the model reads (tool results, documents, tool definitions) differently.
 */
export type TextOrigin = 'system' | 'user' | 'assistant' | 'tool_result' | 'tool_definition' | 'document';

/** Origins whose text is data, not an instruction of the caller: where indirect injection hides. */
export const DATA_ORIGINS: ReadonlySet<TextOrigin> = new Set<TextOrigin>(['tool_result', 'tool_definition', 'document']);

/** One text of a payload that the checks read, and where a redaction is written back. */
export interface TextLeaf {
  readonly text: string;
  readonly origin: TextOrigin;
  /** The whole content of a data text (a tool result's, a document's), which spotlighting marks; not a name, key or token. */
  readonly dataContent: boolean;
  /** Where it is: `messages[1].content[0].text`; `metadata{}` for a key of `metadata`; `[*]` for tokens. */
  readonly field: string;
  write(text: string): void;
}

/**
 * What a format says about the values at one place in a payload. Everything not described is
 * text, with the origin of the nearest place that names one: the walk fails closed.
 */
export interface FieldMap {
  /** Rules for named members. */
  readonly fields?: Readonly<Record<string, FieldMap>>;
  /** Rules for every other member, or for every item of an array. */
  readonly items?: FieldMap;
  /** The origin of the text here and below; a function reads it from the value (a message's role). */
  readonly origin?: TextOrigin | ((value: unknown) => TextOrigin | undefined);
  /** A string here is not text when it passes this test (ids, enum values, base64); otherwise it is checked. */
  readonly nonText?: (value: string) => boolean;
  /** Keys of this object that are not text when they pass this test (token ids in `logit_bias`). */
  readonly nonTextKeys?: (key: string) => boolean;
  /** This array holds tokens: checked as the text they form. */
  readonly tokens?: TokenSpec;
  /** A string right here is the content of a data text (not a name or an enum): spotlighting may mark it. */
  readonly dataContent?: boolean;
}

export interface WalkOptions {
  readonly origin: TextOrigin;
  /** Member names of the format: such a key is a name, not text. Every other key is checked. */
  readonly knownKeys: ReadonlySet<string>;
}

interface Frame {
  readonly value: object;
  readonly map: FieldMap | undefined;
  readonly origin: TextOrigin;
  readonly parent: Frame | undefined;
  readonly key: string | number | undefined;
}

/**
 * Every text of a parsed payload: each string value (unless its place marks it as non-text and
 * it passes that test), each key that is not a member name of the format, and each token
 * sequence. Walked with an explicit stack, in document order.
 */
export function collectTextLeaves(root: unknown, map: FieldMap | undefined, options: WalkOptions): TextLeaf[] {
  const leaves: TextLeaf[] = [];
  if (typeof root !== 'object' || root === null) return leaves;
  /** Holders whose token member (and bytes) a sequence covers, with those member names. */
  const covered = new Map<object, readonly (string | number)[]>();
  const stack: Frame[] = [{ value: root, map, origin: originAt(map, root, options.origin), parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value, map: here } = frame;
    const skip = covered.get(value);
    const children: Frame[] = [];
    if (Array.isArray(value)) {
      if (here?.tokens !== undefined) {
        for (const seq of tokenSequences(value, here.tokens, fieldOf(frame))) {
          alignBytes(seq);
          leaves.push(sequenceLeaf(seq, frame.origin));
          seq.holders.forEach((h, i) => covered.set(h, h === value ? ['*'] : [seq.keys[i], ...(seq.bytesKey === undefined ? [] : [seq.bytesKey])]));
        }
      }
      const itemMap = here?.items;
      const skipStrings = covered.get(value)?.[0] === '*';
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (typeof v === 'string') {
          if (!skipStrings) stringLeaf(leaves, frame, { name: i }, v, itemMap);
        } else if (typeof v === 'object' && v !== null) {
          children.push({ value: v, map: itemMap, origin: originAt(itemMap, v, frame.origin), parent: frame, key: i });
        }
      }
    } else {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const childMap = here?.fields !== undefined && Object.hasOwn(here.fields, key) ? here.fields[key] : here?.items;
        // The key's leaf and its value's leaf share the member's current name: a redaction may rename it.
        const member: Member = { name: key };
        if (!options.knownKeys.has(key) && !(here?.nonTextKeys?.(key) ?? false)) leaves.push(new KeyLeaf(frame, member, frame.origin));
        if (skip !== undefined && skip.includes(key)) continue;
        const v = record[key];
        if (typeof v === 'string') stringLeaf(leaves, frame, member, v, childMap);
        else if (typeof v === 'object' && v !== null) children.push({ value: v, map: childMap, origin: originAt(childMap, v, frame.origin), parent: frame, key });
      }
    }
    for (let c = children.length - 1; c >= 0; c--) stack.push(children[c]);
  }
  return leaves;
}

/** An object member or an array item, by its current name or index. */
interface Member {
  name: string | number;
}

function stringLeaf(leaves: TextLeaf[], frame: Frame, member: Member, text: string, map: FieldMap | undefined): void {
  if (map?.nonText !== undefined && map.nonText(text)) return;
  const origin = map?.origin !== undefined && typeof map.origin === 'string' ? map.origin : frame.origin;
  leaves.push(new ValueLeaf(frame, member, text, origin, map?.dataContent === true && DATA_ORIGINS.has(origin)));
}

function originAt(map: FieldMap | undefined, value: unknown, inherited: TextOrigin): TextOrigin {
  if (map?.origin === undefined) return inherited;
  return typeof map.origin === 'function' ? (map.origin(value) ?? inherited) : map.origin;
}

class ValueLeaf implements TextLeaf {
  constructor(
    private readonly frame: Frame,
    private readonly member: Member,
    readonly text: string,
    readonly origin: TextOrigin,
    readonly dataContent: boolean,
  ) {}

  get field(): string {
    return joinField(fieldOf(this.frame), this.member.name);
  }

  write(text: string): void {
    (this.frame.value as Record<string | number, unknown>)[this.member.name] = text;
  }
}

/** A key that is text (a property name in a JSON schema, a metadata key): redaction renames it. */
class KeyLeaf implements TextLeaf {
  readonly text: string;
  readonly dataContent = false;

  constructor(
    private readonly frame: Frame,
    private readonly member: Member,
    readonly origin: TextOrigin,
  ) {
    this.text = String(member.name);
  }

  get field(): string {
    return `${fieldOf(this.frame)}{}`;
  }

  write(text: string): void {
    const record = this.frame.value as Record<string, unknown>;
    const current = String(this.member.name);
    if (text === current || !Object.hasOwn(record, current)) return;
    const value = record[current];
    delete record[current];
    let name = text;
    for (let n = 2; Object.hasOwn(record, name); n++) name = `${text}_${n}`;
    setOwn(record, name, value);
    this.member.name = name;
  }
}

function sequenceLeaf(seq: TokenSequence, origin: TextOrigin): TextLeaf {
  return { text: tokensOf(seq).join(''), origin, dataContent: false, field: seq.label, write: (text) => writeSequence(seq, text) };
}

function fieldOf(frame: Frame | undefined): string {
  const keys: (string | number)[] = [];
  for (let f = frame; f !== undefined && f.key !== undefined; f = f.parent) keys.push(f.key);
  let out = '';
  for (let k = keys.length - 1; k >= 0; k--) out = joinField(out, keys[k]);
  return out;
}

function joinField(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}
