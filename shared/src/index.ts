export * from './access';
export * from './audit';
export * from './directory';
export * from './enterprises';
export * from './errors';
export * from './store';
export * from './validation';
export * from './services';
