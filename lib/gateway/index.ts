export * from './safety-gateway';
export * from './gateway-metrics';
export * from './gateway-rollback-alarms';
