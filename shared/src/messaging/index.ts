/** The messaging engine: carrier connections, inbound webhooks and routing. */
export * from './carrier-connections';
export * from './messages';
