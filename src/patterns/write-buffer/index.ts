export * from './props';
export * from './sink';
export * from './front-door';
export * from './write-buffer';
