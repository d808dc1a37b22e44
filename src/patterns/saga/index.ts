export * from './props';
export * from './saga';
