/** The safety-check library: pure functions, no AWS SDK, no I/O. */
export { checkInput, checkOutput } from './pipeline';
export {
  parsePolicy,
  resolvePolicy,
  presetPolicy,
  PolicyError,
  POLICY_SCHEMA_VERSION,
  PII_ENTITIES,
  PRESETS,
  type SafetyPolicy,
  type PolicyOverrides,
  type PresetName,
  type PiiEntity,
  type Directional,
  type SizeLimits,
} from './policy';
export type { Action, CheckName, Finding, SafetyVerdict, Stage } from './types';
export type { CustomPattern } from './custom-patterns';
export { createCanaryToken } from './canary';
