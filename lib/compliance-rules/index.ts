export * from './sagemaker-guard-rules';
export * from './sagemaker-guard-plugin';
