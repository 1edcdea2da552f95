export * from './model-version';
export * from './model-artifact-store';
