export * from './bundled-function';
export * from './handlers';
export * from './pascal-case';
export * from './private-bucket-defaults';
export * from './prop-validation';
export * from './reserved-concurrency';
export * from './service-key-access';
