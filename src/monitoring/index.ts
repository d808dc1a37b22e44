export * from './queue-metrics';
export * from './topic-metrics';
export * from './function-metrics';
export * from './monitored-block';
export * from './pattern-dashboard';
export * from './alarm-options';
export * from './stream-metrics';
export * from './dashboard-options';
