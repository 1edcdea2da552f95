export * from './scalable-instance-count';
export * from './scaling-guard';
export * from './scale-to-zero';
export * from './sagemaker-scalable-target';
export * from './scaling-guard-provider';
