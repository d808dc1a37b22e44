export * from './message-backbone-stack';
export * from './order-fan-out-stack';
export * from './clickstream-stack';
