export * from './pipeline-plan';
export * from './pipeline-source';
export * from './platform-pipeline-stack';
export * from './smoke-test-access';
export * from './model-approval-trigger';
