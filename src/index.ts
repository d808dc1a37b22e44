export * from './core';
export * from './monitoring';
export * from './architectures';
export * from './patterns';
