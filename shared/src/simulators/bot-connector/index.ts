export * from './bot-connector';
