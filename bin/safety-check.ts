#!/usr/bin/env node
/**
 * safety-check: try prompts or model answers against a safety policy before deploying it.
 *
 *   safety-check [--stage input|output] [--origin user|data|system] [--policy FILE] [--summary] < prompts.jsonl
 *
 * Reads JSONL ({"text": ...} per line) or plain lines from stdin and writes one verdict per
 * line to stdout: {"action", "text", "findings"}. A line that cannot be read gets a verdict
 * with an "error" field and the rest of the input is still checked.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { checkInput, checkOutput, type Origin, parsePolicy, presetPolicy, PolicyError, type SafetyPolicy, type SafetyVerdict } from '../lambda/safety';

const USAGE = `usage: safety-check [--stage input|output] [--origin user|data|system] [--policy FILE] [--summary]
  --stage    which checks to run: "input" (prompts, the default) or "output" (model answers)
  --origin   for --stage input: "user" (prompts, the default), "data" (documents, tool results, e-mails:
             looks for instructions hidden in them) or "system" (trusted: no injection checks)
  --policy   a policy JSON file, e.g. {"preset":"strict","pii":{"EMAIL_ADDRESS":"block"}}; default: the standard preset
  --summary  print a count per action and per check to stderr at the end
stdin: one {"text": "..."} JSON object or one plain-text prompt per line`;

interface Options {
  stage: 'input' | 'output';
  origin: Origin;
  policy: SafetyPolicy;
  summary: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const options: Options = { stage: 'input', origin: 'user', policy: presetPolicy('standard'), summary: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--stage': {
        const stage = value();
        if (stage !== 'input' && stage !== 'output') throw new UsageError(`--stage ${JSON.stringify(stage)} is not a stage; use --stage input or --stage output`);
        options.stage = stage;
        break;
      }
      case '--origin': {
        const origin = value();
        if (origin !== 'user' && origin !== 'data' && origin !== 'system') throw new UsageError(`--origin ${JSON.stringify(origin)} is not an origin; use --origin user, --origin data or --origin system`);
        options.origin = origin;
        break;
      }
      case '--policy':
        options.policy = loadPolicy(value());
        break;
      case '--summary':
        options.summary = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(argv[i])}`);
    }
  }
  return options;
}

function loadPolicy(path: string): SafetyPolicy {
  let json: string;
  try {
    json = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read policy file ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path`);
  }
  try {
    return parsePolicy(json);
  } catch (err) {
    if (err instanceof PolicyError) throw new UsageError(`policy file ${path}: ${err.message}`);
    throw err;
  }
}

/** A JSONL line must be an object with a string "text"; anything not starting with "{" is a plain prompt. */
function textOf(line: string, lineNumber: number): string | { error: string } {
  if (!line.trimStart().startsWith('{')) return line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    return { error: `line ${lineNumber}: invalid JSON (${(err as Error).message}); write {"text": "..."} or a plain line without a leading "{"` };
  }
  const text = (parsed as { text?: unknown }).text;
  if (typeof text !== 'string') return { error: `line ${lineNumber}: no string "text" field; write {"text": "..."}` };
  return text;
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`safety-check: ${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  const check = options.stage === 'input' ? (text: string, policy: SafetyPolicy) => checkInput(text, policy, { origin: options.origin }) : checkOutput;
  const actions: Record<string, number> = { allow: 0, redact: 0, block: 0, error: 0 };
  const checks: Record<string, number> = {};
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    lineNumber++;
    if (line.trim().length === 0) continue;
    const text = textOf(line, lineNumber);
    let out: SafetyVerdict & { error?: string };
    if (typeof text === 'string') {
      out = check(text, options.policy);
      actions[out.action]++;
      for (const f of out.findings) checks[f.check] = (checks[f.check] ?? 0) + 1;
    } else {
      out = { action: 'block', text: '', findings: [], error: text.error };
      actions.error++;
      process.stderr.write(`safety-check: ${text.error}\n`);
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
  if (options.summary) {
    process.stderr.write(`${JSON.stringify({ policy: options.policy.version, stage: options.stage, origin: options.origin, actions, checks })}\n`);
  }
}

void main();
