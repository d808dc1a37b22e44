export * from './queue-metrics';
export * from './topic-metrics';
export * from './function-metrics';
export { IMonitoredBlock } from './dashboard-widgets';
export * from './pattern-dashboard';
