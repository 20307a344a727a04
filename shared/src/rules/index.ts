export * from './opt-out-keywords';
export * from './phone';
export * from './segments';
