#!/usr/bin/env node
/**
 * safety-check: try prompts or model answers against a safety policy before deploying it.
 *
 *   safety-check [--stage input|output] [--origin user|data|system] [--policy FILE] [--summary] < prompts.jsonl
 *
 * Reads JSONL ({"text": ...} per line) or plain lines from stdin and writes one verdict per
 * line to stdout: {"action", "text", "findings"}. A line that cannot be read gets a verdict
 * with an "error" field, the rest of the input is still checked, and the exit code is 1.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { checkInput, checkOutput, type Origin, parsePolicy, presetPolicy, PolicyError, type SafetyPolicy, type SafetyVerdict } from '../lambda/safety';
import { CliError, runCli, UsageError } from './cli-args';

const USAGE = `usage: safety-check [--stage input|output] [--origin user|data|system] [--policy FILE] [--summary] < prompts.jsonl
  --stage    which checks to run: "input" (prompts, the default) or "output" (model answers)
  --origin   for input: who wrote the text: "user" (the default), "data" (documents, tool results, e-mails the
             application passes to the model: checked for indirect injection) or "system" (no injection checks)
  --policy   a policy JSON file, e.g. {"preset":"strict","pii":{"EMAIL_ADDRESS":"block"}}; default: the standard preset
  --summary  print a count per action and per check to stderr at the end
  --help     this text
stdin: one {"text": "..."} JSON object or one plain-text prompt per line
exit: 0 every line checked, 1 some lines could not be read (each has an "error" verdict), 2 bad usage or policy`;

function loadPolicy(path: string): SafetyPolicy {
  let json: string;
  try {
    json = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read policy file ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path`);
  }
  try {
    return parsePolicy(json);
  } catch (err) {
    if (err instanceof PolicyError) throw new CliError(`policy file ${path}: ${err.message}`);
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

runCli({
  name: 'safety-check',
  usage: USAGE,
  options: {
    stage: { type: 'string', default: 'input' }, origin: { type: 'string', default: 'user' }, policy: { type: 'string' }, summary: { type: 'boolean', default: false },
  },
}, async (flags) => {
  const stage = flags.stage;
  if (stage !== 'input' && stage !== 'output') throw new UsageError(`--stage ${JSON.stringify(stage)} is not a stage; use --stage input or --stage output`);
  const origin = flags.origin as Origin;
  if (!['user', 'data', 'system'].includes(origin)) {
    throw new UsageError(`--origin ${JSON.stringify(origin)} is not an origin; use --origin user, --origin data or --origin system`);
  }
  const policy = flags.policy === undefined ? presetPolicy('standard') : loadPolicy(flags.policy);
  const check = stage === 'input' ? (text: string, p: SafetyPolicy) => checkInput(text, p, { origin }) : checkOutput;
  const actions: Record<string, number> = { allow: 0, redact: 0, block: 0, error: 0 };
  const checks: Record<string, number> = {};
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    lineNumber++;
    if (line.trim().length === 0) continue;
    const text = textOf(line, lineNumber);
    let out: SafetyVerdict & { error?: string };
    if (typeof text === 'string') {
      out = check(text, policy);
      actions[out.action]++;
      for (const f of out.findings) checks[f.check] = (checks[f.check] ?? 0) + 1;
    } else {
      out = { action: 'block', text: '', findings: [], error: text.error };
      actions.error++;
      process.stderr.write(`safety-check: ${text.error}\n`);
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
  if (flags.summary) process.stderr.write(`${JSON.stringify({ policy: policy.version, stage, origin, actions, checks })}\n`);
  if (actions.error > 0) {
    process.stderr.write(`safety-check: ${actions.error} line${actions.error === 1 ? '' : 's'} could not be checked (see the "error" verdicts)\n`);
    return 1;
  }
  return 0;
});
