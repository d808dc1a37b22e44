export * from './message-backbone-stack';
export * from './order-fan-out-stack';
export * from './order-intake-stack';
export * from './video-processing-stack';
export * from './clickstream-stack';
export * from './order-saga-stack';
