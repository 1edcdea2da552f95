export * from './safety-gateway';
export * from './gateway-metrics';
export * from './policy-secret';
export * from './gateway-rollback-alarms';
