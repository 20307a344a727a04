/** The messaging engine: carrier connections, inbound webhooks and routing, opt-outs. */
export * from './carrier-connections';
export * from './messages';
export * from './opt-outs';
export * from './conversation-id';
export * from './carrier-references';
export * from './outbound';
export * from './outbound-queue';
export * from './outbound-worker';
export * from './sender-pacing';
export * from './message-sweep';
export * from './conversation-views';
export * from './conversations';
export * from './contacts';
