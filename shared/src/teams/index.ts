/** Teams chat: installations and conversation references, reachability, per-message delivery records, sent confirmations. */
export * from './installations';
export * from './deliveries';
export * from './confirmations';
export * from './upsert';
export * from './teams-store';
