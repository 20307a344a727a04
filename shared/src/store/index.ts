export * from './azurite';
export * from './keys';
export * from './repository';
export * from './retry';
export * from './table-store';
export * from './snapshot-cache';
export * from './group-commit';
