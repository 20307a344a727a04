export * from './policy';
export * from './principal';
export * from './tokens';
