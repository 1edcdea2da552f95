export * from './safety-gateway';
export * from './gateway-metrics';
export * from './policy-secret';
