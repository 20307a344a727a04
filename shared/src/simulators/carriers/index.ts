/** Loopback carriers: the embedded carrier simulator and fakes of Twilio, Telnyx and ACS (see README.md). */
export { startCarrierSimulator, signSimulatorWebhook, type CarrierSimulator, type CarrierSimulatorOptions, type SimulatorAccountConfig, type SimulatedMessage, type WebhookDelivery, type UndeliverableOptions, type PhoneSendInput, type PhoneSendResult } from './carrier-simulator';
export { startTwilioFake, type TwilioFake, type TwilioFakeOptions, type TwilioFakeMessage, type TwilioInboundInput, type TwilioStatusInput } from './twilio-fake';
export { startTelnyxFake, type TelnyxFake, type TelnyxFakeOptions, type TelnyxFakeMessage, type TelnyxInboundInput, type TelnyxStatusInput, type TelnyxRecipientStatus } from './telnyx-fake';
export { startAcsFake, type AcsFake, type AcsFakeOptions, type AcsFakeMessage, type EventGridEvent } from './acs-fake';
export { startWebhookReceiver, deliverWebhook, type WebhookReceiver, type ReceivedWebhook, type DeliveryResult, type RecordedCarrierRequest, type LoopbackServer } from './http';
