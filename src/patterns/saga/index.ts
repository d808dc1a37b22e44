export * from './saga-props';
export * from './saga';
