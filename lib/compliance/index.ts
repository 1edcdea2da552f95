export * from './acknowledge';
export * from './compliance-packs';
export * from './sagemaker-guard-plugin';
export * from './sagemaker-guard-rules';
