export * from './message-backbone-stack';
