export * from './props';
export * from './event-router';
export * from './event-route';
export * from './route-target';
export * from './metrics';
