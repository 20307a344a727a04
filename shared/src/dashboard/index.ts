export * from './dashboard';
export * from './message-stats';
