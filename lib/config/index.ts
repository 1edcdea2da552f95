export * from './config-schema';
export * from './load-config';
export * from './rollout-config';
export * from './platform-names';
export * from './platform-limits';
