export * from './repository';
export * from './schema';
export * from './service';
