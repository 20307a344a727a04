export * from './errors';
export * from './store';
