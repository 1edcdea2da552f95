export * from './model-version';
export * from './model-artifact-store';
export * from './model-artifact-store-base';
export * from './imported-model-artifact-store';
