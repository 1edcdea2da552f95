export * from './safety-gateway';
export * from './gateway-metrics';
