export * from './config-schema';
export * from './load-config';
export * from './inference-platform-stack';
export * from './platform-app';
