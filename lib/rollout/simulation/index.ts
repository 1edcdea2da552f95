export * from './alarm-evaluation';
export * from './random';
export * from './simulate-rollout';
export * from './rollout-report';
export * from './endpoint-scenario';
