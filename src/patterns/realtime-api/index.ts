export * from './schema';
export * from './props';
export * from './realtime-api';
export * from './realtime-table';
export * from './events-to-subscribers';
export * from './metrics';
