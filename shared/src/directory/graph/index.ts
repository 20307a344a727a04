export * from './graph-client';
export * from './ms-graph-directory';
export * from './source';
