export * from './core';
export * from './monitoring';
export * from './architectures';
