export * from './ms-graph-directory';
export * from './source';
