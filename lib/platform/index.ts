export * from './inference-platform-stack';
export * from './platform-app';
export * from '../config';
