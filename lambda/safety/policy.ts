import type { Action } from './types';
import { compileCustomPatterns, type CustomPattern } from './custom-patterns';

/** Bumped when the meaning of a policy field changes; part of every policy's `version`. */
export const POLICY_SCHEMA_VERSION = '1';

export const PII_ENTITIES = ['EMAIL_ADDRESS', 'PHONE_NUMBER', 'CREDIT_CARD', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS', 'URL'] as const;
export type PiiEntity = (typeof PII_ENTITIES)[number];

export const PRESETS = ['strict', 'standard', 'permissive'] as const;
export type PresetName = (typeof PRESETS)[number];

const ACTIONS: readonly Action[] = ['allow', 'redact', 'block'];

/**
 * Spotlighting (Hines et al., "Defending Against Indirect Prompt Injection Attacks With
 * Spotlighting", 2024): `delimit` wraps data in markers the model is told never to obey,
 * `datamark` also interleaves a marker between words so data cannot pass for instructions,
 * `base64` hands the model data only in encoded form.
 */
export const SPOTLIGHT_MODES = ['off', 'delimit', 'datamark', 'base64'] as const;
export type SpotlightMode = (typeof SPOTLIGHT_MODES)[number];

/** An action per direction: what to do when the thing appears in a prompt and in a model's answer. */
export interface Directional {
  readonly input: Action;
  readonly output: Action;
}

export interface SizeLimits {
  readonly maxBytes: number;
  readonly maxChars: number;
}

export interface SafetyPolicy {
  /** `1:standard` for a bare preset, `1:standard+<hash>` with overrides, or the caller's own string. */
  readonly version: string;
  readonly preset: PresetName;
  readonly size: { readonly input: SizeLimits; readonly output: SizeLimits };
  readonly unicode: {
    /** Zero-width and other invisible format characters; `redact` strips them. */
    readonly invisible: Action;
    /** Bidi embedding, override and isolate controls (Trojan Source, CVE-2021-42574). */
    readonly bidi: Action;
    /** Unicode tag characters (U+E0000–E007F) that spell out hidden ASCII. */
    readonly tagSmuggling: Action;
    /** Runs of variation selectors that encode hidden bytes ("emoji smuggling"). */
    readonly variationSelectorSmuggling: Action;
  };
  readonly injection: {
    readonly enabled: boolean;
    readonly action: Action;
    /** Combined phrase and classifier score at or above which the action applies, 0–1. */
    readonly threshold: number;
    readonly classifier: boolean;
    readonly decodePayloads: boolean;
  };
  /** Instructions hidden in data (documents, tool results, e-mails): texts checked with `origin: 'data'`. */
  readonly indirectInjection: {
    readonly enabled: boolean;
    readonly action: Action;
    /** Combined score at or above which the action applies, 0–1. */
    readonly threshold: number;
    /** The line classifier for instructions addressed to the model; rules alone when false. */
    readonly classifier: boolean;
  };
  /** How `spotlight()` marks data for the model; `off` leaves data unchanged. */
  readonly spotlighting: { readonly mode: SpotlightMode };
  readonly pii: Readonly<Record<PiiEntity, Directional>>;
  readonly secrets: Directional;
  readonly toxicity: Directional;
  readonly bannedWords: { readonly words: readonly string[]; readonly action: Directional };
  readonly canary: { readonly tokens: readonly string[]; readonly action: Action };
  readonly customPatterns: readonly CustomPattern[];
}

const both = (a: Action): Directional => ({ input: a, output: a });
const dir = (input: Action, output: Action): Directional => ({ input, output });

const STANDARD: Omit<SafetyPolicy, 'version'> = {
  preset: 'standard',
  // 256 KiB of text plus headroom: larger prompts exceed every hosted model's context anyway.
  size: { input: { maxBytes: 1 << 20, maxChars: 1 << 19 }, output: { maxBytes: 1 << 20, maxChars: 1 << 19 } },
  unicode: { invisible: 'redact', bidi: 'redact', tagSmuggling: 'block', variationSelectorSmuggling: 'block' },
  injection: { enabled: true, action: 'block', threshold: 0.7, classifier: true, decodePayloads: true },
  indirectInjection: { enabled: true, action: 'block', threshold: 0.6, classifier: true },
  spotlighting: { mode: 'off' },
  pii: {
    EMAIL_ADDRESS: both('redact'),
    PHONE_NUMBER: both('redact'),
    CREDIT_CARD: both('redact'),
    IBAN_CODE: both('redact'),
    US_SSN: both('redact'),
    IP_ADDRESS: both('redact'),
    URL: both('allow'),
  },
  secrets: both('redact'),
  toxicity: dir('allow', 'redact'),
  bannedWords: { words: [], action: both('block') },
  canary: { tokens: [], action: 'block' },
  customPatterns: [],
};

const PRESET_POLICIES: Record<PresetName, Omit<SafetyPolicy, 'version'>> = {
  standard: STANDARD,
  strict: {
    ...STANDARD,
    preset: 'strict',
    size: { input: { maxBytes: 1 << 17, maxChars: 1 << 16 }, output: { maxBytes: 1 << 18, maxChars: 1 << 17 } },
    unicode: { invisible: 'block', bidi: 'block', tagSmuggling: 'block', variationSelectorSmuggling: 'block' },
    injection: { ...STANDARD.injection, threshold: 0.5 },
    indirectInjection: { ...STANDARD.indirectInjection, threshold: 0.5 },
    pii: { ...STANDARD.pii, CREDIT_CARD: dir('block', 'redact'), US_SSN: dir('block', 'redact'), URL: both('allow') },
    secrets: dir('block', 'redact'),
    toxicity: dir('redact', 'block'),
  },
  permissive: {
    ...STANDARD,
    preset: 'permissive',
    size: { input: { maxBytes: 1 << 22, maxChars: 1 << 21 }, output: { maxBytes: 1 << 22, maxChars: 1 << 21 } },
    unicode: { invisible: 'allow', bidi: 'allow', tagSmuggling: 'block', variationSelectorSmuggling: 'redact' },
    injection: { ...STANDARD.injection, threshold: 0.9 },
    indirectInjection: { ...STANDARD.indirectInjection, threshold: 0.9 },
    pii: {
      ...STANDARD.pii,
      EMAIL_ADDRESS: both('allow'),
      PHONE_NUMBER: both('allow'),
      IP_ADDRESS: both('allow'),
    },
    toxicity: both('allow'),
  },
};

/** A preset with no overrides, ready to use. */
export function presetPolicy(name: PresetName): SafetyPolicy {
  return { ...PRESET_POLICIES[name], version: `${POLICY_SCHEMA_VERSION}:${name}` };
}

/**
 * The JSON shape a CDK construct hands to a Lambda: a preset name plus partial overrides.
 * Directional settings accept one action for both directions (`"EMAIL_ADDRESS": "block"`).
 */
export interface PolicyOverrides {
  preset?: PresetName;
  version?: string;
  size?: { input?: Partial<SizeLimits>; output?: Partial<SizeLimits> };
  unicode?: Partial<SafetyPolicy['unicode']>;
  injection?: Partial<SafetyPolicy['injection']>;
  indirectInjection?: Partial<SafetyPolicy['indirectInjection']>;
  spotlighting?: { mode?: SpotlightMode };
  pii?: Partial<Record<PiiEntity, Action | Partial<Directional>>>;
  secrets?: Action | Partial<Directional>;
  toxicity?: Action | Partial<Directional>;
  bannedWords?: { words?: string[]; action?: Action | Partial<Directional> };
  canary?: { tokens?: string[]; action?: Action };
  customPatterns?: CustomPattern[];
}

export class PolicyError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid safety policy:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PolicyError';
  }
}

/** Builds a policy from a preset name or overrides; throws a PolicyError listing every problem. */
export function resolvePolicy(presetOrOverrides: PresetName | PolicyOverrides = 'standard'): SafetyPolicy {
  if (typeof presetOrOverrides === 'string') return parsePolicy({ preset: presetOrOverrides });
  return parsePolicy(presetOrOverrides);
}

/** Parses policy JSON (a string, e.g. from an environment variable, or an already parsed object). */
export function parsePolicy(json: string | object): SafetyPolicy {
  let raw: unknown = json;
  if (typeof json === 'string') {
    try {
      raw = JSON.parse(json);
    } catch (err) {
      throw new PolicyError([`policy is not valid JSON (${(err as Error).message}); pass an object such as {"preset":"standard"}`]);
    }
  }
  const problems: string[] = [];
  const policy = applyOverrides(raw, problems);
  if (problems.length > 0) throw new PolicyError(problems);
  // Compile custom patterns now so a bad pattern fails at deploy/cold start, not per request.
  problems.push(...compileCustomPatterns(policy.customPatterns).problems);
  if (problems.length > 0) throw new PolicyError(problems);
  return policy;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function checkKeys(obj: Obj, allowed: readonly string[], path: string, problems: string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problems.push(`${path}.${key}: unknown field; use one of ${allowed.join(', ')}`);
  }
}

function readAction(v: unknown, path: string, problems: string[]): Action | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && (ACTIONS as readonly string[]).includes(v)) return v as Action;
  problems.push(`${path}: ${show(v)} is not an action; use "allow", "redact" or "block"`);
  return undefined;
}

function readDirectional(v: unknown, base: Directional, path: string, problems: string[]): Directional {
  if (v === undefined) return base;
  if (typeof v === 'string') return both(readAction(v, path, problems) ?? base.input);
  if (!isObj(v)) {
    problems.push(`${path}: ${show(v)} must be an action or {"input": action, "output": action}`);
    return base;
  }
  checkKeys(v, ['input', 'output'], path, problems);
  return {
    input: readAction(v.input, `${path}.input`, problems) ?? base.input,
    output: readAction(v.output, `${path}.output`, problems) ?? base.output,
  };
}

function readNumber(v: unknown, base: number, path: string, problems: string[], min: number, max: number): number {
  if (v === undefined) return base;
  if (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) return v;
  problems.push(`${path}: ${show(v)} must be a number from ${min} to ${max}`);
  return base;
}

function readBoolean(v: unknown, base: boolean, path: string, problems: string[]): boolean {
  if (v === undefined) return base;
  if (typeof v === 'boolean') return v;
  problems.push(`${path}: ${show(v)} must be true or false`);
  return base;
}

function readStrings(v: unknown, base: readonly string[], path: string, problems: string[]): readonly string[] {
  if (v === undefined) return base;
  if (Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0)) return v as string[];
  problems.push(`${path}: must be an array of non-empty strings`);
  return base;
}

function readSection(v: unknown, path: string, keys: readonly string[], problems: string[]): Obj {
  if (v === undefined) return {};
  if (!isObj(v)) {
    problems.push(`${path}: ${show(v)} must be an object`);
    return {};
  }
  checkKeys(v, keys, path, problems);
  return v;
}

const TOP_KEYS = ['preset', 'version', 'size', 'unicode', 'injection', 'indirectInjection', 'spotlighting', 'pii', 'secrets', 'toxicity', 'bannedWords', 'canary', 'customPatterns'];

function applyOverrides(raw: unknown, problems: string[]): SafetyPolicy {
  if (!isObj(raw)) {
    problems.push(`policy: ${show(raw)} must be a JSON object such as {"preset":"standard"}`);
    return presetPolicy('standard');
  }
  checkKeys(raw, TOP_KEYS, 'policy', problems);
  let presetName: PresetName = 'standard';
  if (raw.preset !== undefined) {
    if ((PRESETS as readonly unknown[]).includes(raw.preset)) presetName = raw.preset as PresetName;
    else problems.push(`policy.preset: ${show(raw.preset)} is not a preset; use one of ${PRESETS.join(', ')}`);
  }
  const base = PRESET_POLICIES[presetName];
  const limits = (v: unknown, b: SizeLimits, path: string): SizeLimits => {
    const o = readSection(v, path, ['maxBytes', 'maxChars'], problems);
    return {
      maxBytes: readNumber(o.maxBytes, b.maxBytes, `${path}.maxBytes`, problems, 1, 2 ** 31 - 1),
      maxChars: readNumber(o.maxChars, b.maxChars, `${path}.maxChars`, problems, 1, 2 ** 31 - 1),
    };
  };
  const size = readSection(raw.size, 'policy.size', ['input', 'output'], problems);
  const unicode = readSection(raw.unicode, 'policy.unicode', Object.keys(base.unicode), problems);
  const injection = readSection(raw.injection, 'policy.injection', Object.keys(base.injection), problems);
  const indirect = readSection(raw.indirectInjection, 'policy.indirectInjection', Object.keys(base.indirectInjection), problems);
  const spotlighting = readSection(raw.spotlighting, 'policy.spotlighting', ['mode'], problems);
  const pii = readSection(raw.pii, 'policy.pii', PII_ENTITIES, problems);
  const banned = readSection(raw.bannedWords, 'policy.bannedWords', ['words', 'action'], problems);
  const canary = readSection(raw.canary, 'policy.canary', ['tokens', 'action'], problems);
  const policyWithoutVersion: Omit<SafetyPolicy, 'version'> = {
    preset: presetName,
    size: { input: limits(size.input, base.size.input, 'policy.size.input'), output: limits(size.output, base.size.output, 'policy.size.output') },
    unicode: {
      invisible: readAction(unicode.invisible, 'policy.unicode.invisible', problems) ?? base.unicode.invisible,
      bidi: readAction(unicode.bidi, 'policy.unicode.bidi', problems) ?? base.unicode.bidi,
      tagSmuggling: readAction(unicode.tagSmuggling, 'policy.unicode.tagSmuggling', problems) ?? base.unicode.tagSmuggling,
      variationSelectorSmuggling:
        readAction(unicode.variationSelectorSmuggling, 'policy.unicode.variationSelectorSmuggling', problems) ?? base.unicode.variationSelectorSmuggling,
    },
    injection: {
      enabled: readBoolean(injection.enabled, base.injection.enabled, 'policy.injection.enabled', problems),
      action: readAction(injection.action, 'policy.injection.action', problems) ?? base.injection.action,
      threshold: readNumber(injection.threshold, base.injection.threshold, 'policy.injection.threshold', problems, 0, 1),
      classifier: readBoolean(injection.classifier, base.injection.classifier, 'policy.injection.classifier', problems),
      decodePayloads: readBoolean(injection.decodePayloads, base.injection.decodePayloads, 'policy.injection.decodePayloads', problems),
    },
    indirectInjection: {
      enabled: readBoolean(indirect.enabled, base.indirectInjection.enabled, 'policy.indirectInjection.enabled', problems),
      action: readAction(indirect.action, 'policy.indirectInjection.action', problems) ?? base.indirectInjection.action,
      threshold: readNumber(indirect.threshold, base.indirectInjection.threshold, 'policy.indirectInjection.threshold', problems, 0, 1),
      classifier: readBoolean(indirect.classifier, base.indirectInjection.classifier, 'policy.indirectInjection.classifier', problems),
    },
    spotlighting: { mode: readSpotlightMode(spotlighting.mode, base.spotlighting.mode, problems) },
    pii: Object.fromEntries(
      PII_ENTITIES.map((e) => [e, readDirectional(pii[e], base.pii[e], `policy.pii.${e}`, problems)]),
    ) as Record<PiiEntity, Directional>,
    secrets: readDirectional(raw.secrets, base.secrets, 'policy.secrets', problems),
    toxicity: readDirectional(raw.toxicity, base.toxicity, 'policy.toxicity', problems),
    bannedWords: {
      words: readStrings(banned.words, base.bannedWords.words, 'policy.bannedWords.words', problems),
      action: readDirectional(banned.action, base.bannedWords.action, 'policy.bannedWords.action', problems),
    },
    canary: {
      tokens: readStrings(canary.tokens, base.canary.tokens, 'policy.canary.tokens', problems),
      action: readAction(canary.action, 'policy.canary.action', problems) ?? base.canary.action,
    },
    customPatterns: readCustomPatterns(raw.customPatterns, problems),
  };
  let version = `${POLICY_SCHEMA_VERSION}:${presetName}`;
  const overrideKeys = Object.keys(raw).filter((k) => k !== 'preset' && k !== 'version');
  if (overrideKeys.length > 0) version += `+${fnv1a(JSON.stringify(policyWithoutVersion))}`;
  if (raw.version !== undefined) {
    if (typeof raw.version === 'string' && raw.version.length > 0 && raw.version.length <= 64) version = raw.version;
    else problems.push(`policy.version: ${show(raw.version)} must be a string of 1 to 64 characters`);
  }
  return { ...policyWithoutVersion, version };
}

function readSpotlightMode(v: unknown, base: SpotlightMode, problems: string[]): SpotlightMode {
  if (v === undefined) return base;
  if ((SPOTLIGHT_MODES as readonly unknown[]).includes(v)) return v as SpotlightMode;
  problems.push(`policy.spotlighting.mode: ${show(v)} is not a spotlighting mode; use one of ${SPOTLIGHT_MODES.join(', ')}`);
  return base;
}

function readCustomPatterns(v: unknown, problems: string[]): CustomPattern[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    problems.push('policy.customPatterns: must be an array of {"name", "pattern", "action", "stage"?}');
    return [];
  }
  const out: CustomPattern[] = [];
  v.forEach((item, i) => {
    const path = `policy.customPatterns[${i}]`;
    if (!isObj(item)) {
      problems.push(`${path}: ${show(item)} must be an object with "name", "pattern" and "action"`);
      return;
    }
    checkKeys(item, ['name', 'pattern', 'caseInsensitive', 'action', 'stage'], path, problems);
    const name = item.name;
    if (typeof name !== 'string' || !/^[A-Z][A-Z0-9_]{0,63}$/.test(name)) {
      problems.push(`${path}.name: ${show(name)} must be an UPPER_SNAKE_CASE name like "EMPLOYEE_ID" (it becomes the placeholder)`);
      return;
    }
    if (typeof item.pattern !== 'string' || item.pattern.length === 0 || item.pattern.length > 1000) {
      problems.push(`${path}.pattern: must be a regular expression string of 1 to 1000 characters`);
      return;
    }
    const action = readAction(item.action, `${path}.action`, problems);
    if (action === undefined) {
      if (item.action === undefined) problems.push(`${path}.action: missing; use "allow", "redact" or "block"`);
      return;
    }
    const stage = item.stage ?? 'both';
    if (stage !== 'input' && stage !== 'output' && stage !== 'both') {
      problems.push(`${path}.stage: ${show(stage)} must be "input", "output" or "both"`);
      return;
    }
    out.push({ name, pattern: item.pattern, caseInsensitive: readBoolean(item.caseInsensitive, false, `${path}.caseInsensitive`, problems), action, stage });
  });
  return out;
}

/** FNV-1a, 32 bit: a short, stable fingerprint of the effective policy for logs and metrics. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
