export * from './cloud-assembly';
export * from './report-model';
export * from './render-markdown';
export * from './render-html';
export * from './assembly-diff';
export * from './cost-estimate';
export * from './stage-view';
