import { parseJsonPath } from '../../lambda/gateway/json-path';
import { parsePolicy, PolicyError, PRESETS, type PolicyOverrides, type PresetName } from '../../lambda/safety/policy';

/**
 * What the gateway's handlers would reject at cold start (and then answer every request with
 * `internal_error`), found at synth with the handlers' own parsers. Each problem is one line
 * under `path`, the prop or config path of the model.
 */

/** Problems of a safety policy (a preset name or a preset with overrides), custom RE2 patterns included. */
export function safetyPolicyProblems(policy: PresetName | PolicyOverrides | Record<string, unknown> | undefined, path: string): string[] {
  if (policy === undefined) return [];
  if (typeof policy === 'string' && !(PRESETS as readonly string[]).includes(policy)) {
    return [`${path}: ${JSON.stringify(policy)} is not a preset; use one of ${PRESETS.join(', ')}, or an object {"preset": ..., overrides}`];
  }
  const overrides = typeof policy === 'string' ? { preset: policy } : policy;
  const problems = policyErrors(overrides);
  // The parser compiles custom patterns only once the rest is valid; check them alone too, so
  // one pass reports every problem.
  if (problems.length > 0 && overrides.customPatterns !== undefined) problems.push(...policyErrors({ customPatterns: overrides.customPatterns }));
  // The parser names its fields `policy.pii.EMAIL_ADDRESS`; here they sit under `path`.
  return [...new Set(problems)].map((problem) => (problem.startsWith('policy') ? `${path}${problem.slice('policy'.length)}` : `${path}: ${problem}`));
}

function policyErrors(policy: object): string[] {
  try {
    parsePolicy(policy);
    return [];
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    return [...error.problems];
  }
}

/** Problems of the JSON paths of a `raw` payload (`prompt`, `choices[0].text`). */
export function rawPathProblems(rawPaths: { readonly request?: readonly string[]; readonly response?: readonly string[] } | undefined, path: string): string[] {
  const problems: string[] = [];
  for (const key of ['request', 'response'] as const) {
    for (const p of rawPaths?.[key] ?? []) {
      if (parseJsonPath(p) === undefined) {
        problems.push(`${path}.${key}: ${JSON.stringify(p)} is not a dot path with optional [n] indices, e.g. "output.text" or "choices[0].text"`);
      }
    }
  }
  return problems;
}
