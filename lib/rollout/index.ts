export * from './deployment-strategy';
export * from './rollback-alarm-spec';
export * from './rollback-alarms';
export * from './simulation';
