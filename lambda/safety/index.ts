/** The safety-check library: pure functions, no AWS SDK, no I/O. */
export { checkInput, checkOutput, type CheckOptions, type Origin } from './pipeline';
export { spotlight, spotlightInstructions, DATA_OPEN, DATA_CLOSE, DATAMARK } from './spotlight';
export { bannedWordProblems } from './banned-words';
export {
  parsePolicy,
  resolvePolicy,
  presetPolicy,
  PolicyError,
  POLICY_SCHEMA_VERSION,
  PII_ENTITIES,
  PRESETS,
  SPOTLIGHT_MODES,
  type SpotlightMode,
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
export { OutputStreamCheck, type OutputStreamCheckOptions, type StreamRelease } from './output-stream-check';
export { holdBackChars } from './stream-hold-back';
