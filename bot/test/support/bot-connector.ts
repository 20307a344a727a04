/** The loopback Bot Framework connector lives with the other stand-ins, so the benchmarks use it too. */
export { BotConnector, type SentActivity, type CreatedConversation, type RefusedRequest, type LimitBreach } from '@switchboard/shared/simulators';
