export * from './consumer-options';
