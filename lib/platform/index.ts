export * from './inference-platform-stage';
export * from './shared-stage-stack';
export * from './model-stack';
export * from './shared-stage-outputs';
export * from './platform-app';
export * from '../config';
export * from '../pipeline';
