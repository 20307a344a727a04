export * from './activity';
export * from './diff';
