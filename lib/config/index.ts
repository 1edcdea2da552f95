export * from './account-references';
export * from './config-schema';
export * from './load-config';
export * from './rollout-config';
export type { ConfigLocation, ConfigProblem } from './config-json';
export * from './platform-names';
export * from './platform-limits';
export * from './slo-config';
