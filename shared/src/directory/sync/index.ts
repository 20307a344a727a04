export * from './directory-sync';
export * from './scheduler';
export * from './sync-state';
export * from './user-mapping';
